"""Stage 4, documents: a request's parameters and the catalog → a feed or a listing.

:mod:`.feed` builds one feed (parameters, paging, metadata), :mod:`.directory` the list of
every feed (OPML, the home page); :mod:`feeds.render` turns either into bytes.
"""
