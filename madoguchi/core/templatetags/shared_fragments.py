"""{% shared_fragment %}: parts of the layout rendered once per process and reused.

The layout's head, header and footer are the same on every page for one language, brand and
script prefix, yet rendering them (static URLs, reversed URLs, translations) cost about as much
as a small page's own content. A fragment is rendered the first time its key is met and kept
in the template node, so in each process, for as long as the template is cached:

    {% shared_fragment brand_name brand_logo_url %}...{% endshared_fragment %}

The key is the active language, the script prefix and the values named in the tag. What is
inside must depend on nothing else: no CSRF token, no request path, no signed-in person.
A changed setting (tests) forgets every fragment.
"""

import weakref
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import SafeString

register = template.Library()

# Keys are few (languages x brands); the bound only guards against a value that varies a lot.
_KEYS_PER_FRAGMENT = 256
_nodes: "weakref.WeakSet[SharedFragmentNode]" = weakref.WeakSet()


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist: NodeList, vary_on: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.vary_on = vary_on
        self.rendered: dict[tuple[str, ...], SafeString] = {}
        _nodes.add(self)

    def render(self, context: template.Context) -> SafeString:
        key = (
            translation.get_language() or "",
            get_script_prefix(),
            *(str(value.resolve(context)) for value in self.vary_on),
        )
        found = self.rendered.get(key)
        if found is None:
            found = self.nodelist.render(context)
            if len(self.rendered) >= _KEYS_PER_FRAGMENT:
                self.rendered.clear()
            self.rendered[key] = found
        return found


@register.tag("shared_fragment")
def shared_fragment(parser: Parser, token: Token) -> SharedFragmentNode:
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    vary_on = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    return SharedFragmentNode(nodelist, vary_on)


@receiver(setting_changed)
def _forget_fragments(**_kwargs: Any) -> None:
    for node in list(_nodes):
        node.rendered.clear()
