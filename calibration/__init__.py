"""Calibration and validation against what the region did: a backcast from the 2010 census
to the observations of 2019-2022 (``calibration.backcast``), fitted by adaptive ABC
(``calibration.abc``), with held-out targets compared against naive predictions
(``calibration.report``). Command line: ``python run.py calibrate [FILE]``."""
