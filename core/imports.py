"""Base for every spreadsheet import (django-import-export): all rows or none."""

from import_export import resources


class AllOrNothingResource(resources.ModelResource):
    """A sheet with any bad row writes nothing; the result names every bad row and column.

    The admin already imports this way; this makes it the default wherever a resource is used
    (commands, tests, later views).
    """

    def import_data(self, dataset, **kwargs):
        kwargs.setdefault("rollback_on_validation_errors", True)
        kwargs.setdefault("use_transactions", True)
        return super().import_data(dataset, **kwargs)
