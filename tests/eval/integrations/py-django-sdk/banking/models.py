from django.db import models


class BankLink(models.Model):
    belvo_id = models.UUIDField(unique=True)
    customer_id = models.CharField(max_length=64)
    institution = models.CharField(max_length=80)
    institution_user_id = models.CharField(max_length=128, null=True)
    status = models.CharField(max_length=20, default="valid")
    created_at = models.DateTimeField(auto_now_add=True)


class BankAccount(models.Model):
    belvo_id = models.UUIDField(unique=True)
    link = models.ForeignKey(BankLink, on_delete=models.CASCADE)
    name = models.CharField(max_length=30)
    category = models.CharField(max_length=20)
    balance = models.DecimalField(max_digits=14, decimal_places=2)


class Transaction(models.Model):
    belvo_id = models.UUIDField(unique=True)
    account = models.ForeignKey(BankAccount, on_delete=models.CASCADE)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    description = models.CharField(max_length=255, blank=True)
    value_date = models.DateField()
