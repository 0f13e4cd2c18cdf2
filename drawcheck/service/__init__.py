"""The review service (``drawcheck serve``): the contract is ``docs/service.md``.

Started in issue 13; so far :mod:`.auth` (passwords, tokens, the
permission table), :mod:`.db` (models, engine, migrations) and
:mod:`.storage` (safe uploads) exist. See ``docs/service.md`` ("Status") for the plan.
"""
