"""Knowledge as staff edit it in the workspace: whole published versions, single items, drafts and diffs.

No Flask and no SQL here. A published version is a `Snapshot`: the knowledge folder's TOML files as
text, exactly the format of `knowledge/` in the repository, so it exports to a folder and imports back
unchanged, and it is validated by the very loader `python -m faqbot check` runs. An edit changes one
item (an entry, a not-covered topic, a triage group, a synonym) inside those files with tomlkit, which
keeps every comment and the layout staff wrote around it.
"""
