"""Which parameter values fit the record: ABC-SMC and the two calibrations that use it.

* ``abc``: the ABC-SMC sampler and the regression adjustment, independent of the model;
* ``calibrate``: the assumed coefficients fitted to the 2019-2024 record (``rift calibrate``);
* ``alliance``: the tension terms of the event model fitted on US-Colombia 2019-2025
  (``rift refit alliance``);
* ``targets``: the observed figures of ``reference.csv`` both the calibration and the hindcast
  are scored on;
* ``pool``: the process pool both calibrations run their simulations in.

Nothing is imported here, so that importing the sampler does not load the simulators.
"""
