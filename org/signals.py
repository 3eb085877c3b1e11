from django.dispatch import Signal

# Sent after an OrgUnit gets a new parent, with `unit`. Apps that copy a
# unit's ancestors onto their rows (street, community, grid ids) listen to it
# to keep those copies in step; org itself cannot know those apps.
unit_moved = Signal()
