"""What OPTIONS answers on every API route."""

from rest_framework.metadata import SimpleMetadata


class Metadata(SimpleMetadata):
    """OPTIONS answers the view's name and description; the schema (/api/v1/schema/) describes the rest."""

    def determine_metadata(self, request, view):
        return {"name": view.get_view_name(), "description": view.get_view_description(),
                "renders": [r.media_type for r in view.renderer_classes],
                "parses": [p.media_type for p in view.parser_classes]}
