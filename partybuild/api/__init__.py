"""The JSON API (/api/v1/): composition layer, reads every domain app, decides nothing on its own.

Every queryset comes from ``visible_to(user)`` / ``for_action``, every write goes through the apps'
services, every refusal is the policy's or the service's Chinese sentence. See README.md, "JSON API".
"""
