"""A small dynamic-library base kept for code that subclasses it.

New libraries should use PythonLibCore's ``DynamicCore`` as ``TOSLibrary``
does. ``DynamicLibrary`` turns the public callables of any class, instance
or module added with :meth:`add_component` into keywords.
"""

import inspect


class DynamicLibrary:
    """Collects keywords from components and serves Robot Framework's dynamic API.

    Example::

        class MyLibrary(DynamicLibrary):
            def __init__(self):
                super().__init__()
                self.add_component(self)
                self.add_component(TaskObjectStorage(db_server="embedded", db_name="x"))
    """

    def __init__(self):
        self.keywords = {}

    def add_component(self, component):
        """Register every public callable of ``component`` as a keyword.

        ``component`` is a class, an instance or a module. A keyword that
        already exists keeps its first registration.
        """
        for name, member in inspect.getmembers(component):
            if name.startswith("_") or not callable(member) or inspect.isclass(member):
                continue
            if name in ("add_component",) or name.startswith("get_keyword"):
                continue
            if name == "run_keyword":
                continue
            self.keywords.setdefault(name, member)

    def get_keyword_names(self):
        """Return the names of all registered keywords."""
        return sorted(self.keywords)

    def run_keyword(self, name, args, kwargs=None):
        """Call the keyword ``name`` with ``args`` and ``kwargs``."""
        return self.keywords[name](*args, **(kwargs or {}))

    def get_keyword_arguments(self, name):
        """Return the keyword's arguments in Robot Framework's format."""
        try:
            signature = inspect.signature(self.keywords[name])
        except (TypeError, ValueError):
            return ["*args", "**kwargs"]
        arguments = []
        for parameter in signature.parameters.values():
            if parameter.kind is parameter.VAR_POSITIONAL:
                arguments.append(f"*{parameter.name}")
            elif parameter.kind is parameter.VAR_KEYWORD:
                arguments.append(f"**{parameter.name}")
            elif parameter.default is parameter.empty:
                arguments.append(parameter.name)
            else:
                arguments.append((parameter.name, parameter.default))
        return arguments

    def get_keyword_documentation(self, name):
        """Return the keyword's docstring, or the class's for ``__intro__``."""
        if name == "__intro__":
            return inspect.getdoc(self) or ""
        if name == "__init__":
            return inspect.getdoc(self.__init__) or ""
        return inspect.getdoc(self.keywords.get(name)) or ""
