"""The review service (``drawcheck serve``): contract in the spec checkout (review-service.md), guide in ``docs/service.md``.

Started in issue 13; so far :mod:`.auth` (passwords, tokens, the
permission table), :mod:`.db` (models, engine, migrations) and
:mod:`.storage` (safe uploads) exist. See ``docs/service.md`` ("Status") for the plan.
"""
