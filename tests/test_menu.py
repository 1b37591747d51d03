"""The main menu is drawn once and kept per language, screen and the items a person may
see: what it shows must stay right for each person, screen and language."""

import re

MENU = re.compile(r'<ul class="nav navbar-nav mr-auto">(.*?)</ul>\s*<ul', re.S)


def menu_of(client, url):
    page = client.get(url).get_data(as_text=True)
    return MENU.search(page).group(1)


def active_links(menu):
    return re.findall(r'class="dropdown-item active[^"]*"\s*href="([^"]+)"', menu) + re.findall(
        r'<li class="active">\s*<a class="nav-link[^"]*" href="([^"]+)"', menu
    )


def test_each_role_sees_its_own_menu_though_another_was_kept(app, as_role, world):
    admin_menu = menu_of(as_role("admin"), "/admin/reports/")
    unit_menu = menu_of(as_role("unit"), "/admin/reports/")
    assert "/admin/accounts/" in admin_menu and "/admin/audit/" in admin_menu
    assert "/admin/accounts/" not in unit_menu and "/admin/audit/" not in unit_menu
    assert "/admin/reports/" in unit_menu
    assert menu_of(as_role("admin"), "/admin/reports/") == admin_menu  # kept, the same


def test_the_active_item_follows_the_screen(app, as_role, world):
    client = as_role("staff")
    assert active_links(menu_of(client, "/admin/reports/")) == ["/admin/reports/"]
    assert active_links(menu_of(client, "/admin/units/")) == ["/admin/units/"]


def test_the_menu_speaks_the_chosen_language(app, as_role, world):
    client = as_role("staff")
    chinese = menu_of(client, "/admin/reports/")
    english = menu_of(client, "/admin/reports/?lang=en")
    assert "信息稿件" in chinese and "Reports" not in chinese
    assert "Reports" in english and "信息稿件" not in english


def test_a_screen_opened_to_units_later_shows_in_their_menu(app, as_role, world):
    client = as_role("unit")
    assert "/admin/ranking/" not in menu_of(client, "/admin/reports/")
    app.config["RANKING_OPEN_TO_UNITS"] = True
    assert "/admin/ranking/" in menu_of(client, "/admin/reports/")


def test_the_kept_menus_are_few_and_bounded(app, as_role, world, monkeypatch):
    client = as_role("admin")
    for _ in range(3):
        menu_of(client, "/admin/reports/")
        menu_of(client, "/admin/units/")
    assert len(app.extensions["ducha_caches"]["menu"].store) == 2
    monkeypatch.setattr("views.fast_list.menu.MENUS_KEPT_AT_MOST", 1)
    assert "/admin/units/" in menu_of(client, "/admin/staff/")
    assert "/admin/reports/" in menu_of(client, "/admin/units/")
    assert len(app.extensions["ducha_caches"]["menu"].store) == 1


def test_each_path_the_app_is_served_under_has_its_own_menu_links(app, as_role, world):
    client = as_role("staff")
    pages = {}
    for prefix in ("", "/ducha", "/city/ducha", ""):  # the first kept: asked again after
        under = {"SCRIPT_NAME": prefix} if prefix else {}
        page = client.get("/admin/reports/", environ_overrides=under).get_data(as_text=True)
        links = re.findall(r'href="([^"]+)"', MENU.search(page).group(1))
        links = [link for link in links if link not in ("#", "javascript:void(0)")]
        assert len(links) > 10 and all(link.startswith(f"{prefix}/admin/") for link in links)
        pages.setdefault(prefix, links)
        assert links == pages[prefix]
    assert pages["/ducha"] == ["/ducha" + link for link in pages[""]]
