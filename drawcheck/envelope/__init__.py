"""Designer tools before submission: the buildable envelope (:mod:`.zones`) and its outputs (:mod:`.outputs`)."""
