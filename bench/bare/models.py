from django.db import models


class Concern(models.Model):
    """The columns of the portal's concerns table the bare list shows."""

    tracking_code = models.CharField(max_length=16)
    compound_id = models.BigIntegerField(null=True)
    street_id = models.BigIntegerField()
    community_id = models.BigIntegerField()
    grid_id = models.BigIntegerField()
    status = models.CharField(max_length=16)
    description = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "consultations_concern"

    def __str__(self) -> str:
        return self.tracking_code
