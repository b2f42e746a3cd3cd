"""(in progress)"""

QUANTITIES = ()
AIDES = ()
