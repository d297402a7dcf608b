"""The search page every site has (SPEC §6): `search.html?q=…&scope=site|members|all`, drawn in the
browser by theme/assets/fed-search.js from the federation's index (outputs/search.py)."""

from __future__ import annotations

from fedsite.plan.pagedata import SearchPageData
from fedsite.plan.sitepages import PageSpec
from fedsite.plan.view import FederationView
from fedsite.read.tree import Org

SEARCH_PAGE = "search.html"


def search_page(org: Org, view: FederationView) -> PageSpec:
    """The page, with what the script needs: the organization, its subtree's bundle (the root's member
    it is under; '' for the root itself) and whether it has members (the scope "with its members")."""
    chain = [o.id for o in view.tree.chain(org.id)]
    return PageSpec(SEARCH_PAGE, "Поиск", "search.html",
                    data=SearchPageData(org=org.id, bundle=chain[1] if len(chain) > 1 else "",
                                        has_members=bool(org.members)),
                    description=f"Поиск по сайтам федерации: {org.short_name}")
