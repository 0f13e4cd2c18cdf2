"""The review service (``drawcheck serve``): the contract is ``docs/service.md``.

Started in issue 13; so far only :mod:`.auth` (passwords, tokens, the
permission table) exists. See ``docs/service.md`` ("Status") for the plan.
"""
