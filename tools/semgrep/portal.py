# Examples for portal.yml: `semgrep --test` checks that each rule finds the lines marked "ruleid"
# and leaves those marked "ok". Never imported.
from django.db import connection
from django.shortcuts import get_object_or_404
from django.utils.safestring import mark_safe

from madoguchi.core.access import get_visible_or_404


def unscoped(request, pk):
    # ruleid: unscoped-query-in-view
    ticket = get_object_or_404(Ticket, pk=pk)
    # ruleid: unscoped-query-in-view
    others = Ticket.objects.filter(organisation=ticket.organisation)
    # ok: unscoped-query-in-view
    mine = get_visible_or_404(request.user, Ticket, pk=pk)
    return mine, others


def unsafe_markup(request):
    # ruleid: mark-safe-on-variable
    shown = mark_safe(request.GET["q"])
    # ok: mark-safe-on-variable
    arrow = mark_safe("&rarr;")
    return shown, arrow


def formatted_sql(name):
    with connection.cursor() as cursor:
        # ruleid: sql-built-from-strings
        cursor.execute("SELECT * FROM t WHERE name = '%s'" % name)
        # ruleid: sql-built-from-strings
        cursor.execute(f"SELECT * FROM t WHERE name = '{name}'")
        # ok: sql-built-from-strings
        cursor.execute("SELECT * FROM t WHERE name = %s", [name])
