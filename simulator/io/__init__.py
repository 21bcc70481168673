"""Reading and writing files: YAML documents, result tables, exports.

Only this package, the command line and the app touch files.
"""
