"""Stage 3, the catalog: every entry indexed by selection, what requests query.

The read model (:mod:`.model`), its index structures (:mod:`.indexes`, :mod:`.ordering`,
:mod:`.search`), the one builder (:mod:`.build`, fresh and incremental), and the loader
(:mod:`.loader`, the only I/O here). :mod:`.selection` names what a feed is about,
:mod:`.changes` finds the feeds a reload changed, :mod:`.stats` counts by month.
"""

from feeds.catalog.indexes import Keys as Keys
from feeds.catalog.loader import CatalogLoader as CatalogLoader
from feeds.catalog.loader import load_catalog as load_catalog
from feeds.catalog.model import Catalog as Catalog
from feeds.catalog.model import CatalogChanges as CatalogChanges
from feeds.catalog.model import Query as Query
