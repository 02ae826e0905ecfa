"""Which parameter values fit the record: ABC-SMC and the two calibrations that use it.

* ``abc``: the ABC-SMC sampler and the regression adjustment, independent of the model;
* ``calibrate``: the assumed coefficients fitted to the 2019-2024 record (``rift calibrate``);
* ``alliance``: the tension terms of the event model fitted on US-Colombia 2019-2025
  (``rift refit alliance``);
* ``pool``: the process pool both calibrations run their simulations in.

The observed figures the calibration is fitted on are :mod:`rift.reference` (a leaf, since the
nowcast conditions on them too).

Nothing is imported here, so that importing the sampler does not load the simulators.
"""
