"""Does the model forecast the record: the hindcast, its scores, and data assimilation.

* ``scoring``: PIT, interval hits, CRPS and the naive forecasts, independent of the model;
* ``hindcast``: the 2019-2024 hindcast scored against ``reference.csv``
  (``rift validate-history``);
* ``assimilation``: the later figures scored with and without conditioning on a year's record;
* ``alliance``: the 2025 US-Colombia record against a baseline batch.

Nothing is imported here, so that importing the scores does not load the results store.
"""
