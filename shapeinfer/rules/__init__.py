"""The rule DSL: rule files (``grammar/rules.lark``) loaded into
:class:`~shapeinfer.rules.model.Rule` objects (:mod:`.loader`) and matched
against argument shapes (:mod:`.matcher`). The built-in library's rule files
are in ``builtin/``; docs/rules.md teaches the language."""
