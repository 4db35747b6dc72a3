from django.urls import path

from egov.payments import views

app_name = "payments"

urlpatterns = [
    path("callback", views.callback, name="callback"),
    path("return/<str:order_id>/", views.payment_return, name="return"),
    path("sandbox/api/transactions", views.sandbox_create, name="sandbox_create"),
    path("sandbox/api/refunds", views.sandbox_refund, name="sandbox_refund"),
    path("sandbox/api/transactions/<str:txn>", views.sandbox_status, name="sandbox_status"),
    path("sandbox/pay/<str:txn>/", views.sandbox_pay, name="sandbox_pay"),
]
