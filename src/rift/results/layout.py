"""Names and limits of a result folder (constants shared by the writer and the reader)."""

SCHEMA = 2  # 2: the manifest holds a checksum of itself and of each table
MANIFEST = "manifest.json"
#: Lock file held by the process writing a working folder.
LOCK_FILE = "lock"
TABLES = ("runs.parquet", "series.parquet", "territory.npz")
PARTIAL_SUFFIX = ".partial"
FLUSH_SECONDS = 2.0
FLUSH_RUNS = 500
#: The largest manifest rift reads (a batch's own is a few kB, plus about 150 B a failure).
MANIFEST_LIMIT = 16 << 20
