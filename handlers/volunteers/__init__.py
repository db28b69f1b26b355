"""What volunteers (PSM/TKSK) use: tasks and households of their area, field visits, quick
reports from the field, and the invitations staff send them."""
