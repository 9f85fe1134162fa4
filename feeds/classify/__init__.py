"""Stage 2, classification: the countries and topics of an entry, and editors' corrections.

Names and rules are data files in ``feeds/classify/data/``; the modules here parse them and
apply them: :mod:`.countries` (with :mod:`.gazetteer`), :mod:`.topics`, :mod:`.regions`,
:mod:`.overrides`, all through :class:`~feeds.classify.classifier.Classifier`.
"""
