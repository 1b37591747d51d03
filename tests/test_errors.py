"""Error pages speak the interface's language and keep their status."""


def test_another_units_record_answers_the_chinese_not_found_page(as_role, world):
    response = as_role("unit").get(f"/admin/reports/details/?id={world.report_b}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "页面或记录不存在" in page
    assert 'data-error="404"' in page and 'href="/admin/"' in page
    assert "乙镇机密信息" not in page


def test_a_screen_of_another_role_answers_the_chinese_no_access_page(as_role):
    response = as_role("unit").get("/admin/accounts/")
    assert response.status_code == 403
    assert "无权访问" in response.get_data(as_text=True)


def test_a_bad_request_answers_its_page(as_role):
    response = as_role("staff").get("/admin/ranking/?format=bogus")
    assert response.status_code == 400
    assert "无法处理该请求" in response.get_data(as_text=True)


def test_error_pages_in_english_and_without_a_login(client):
    response = client.get("/no-such-page?lang=en")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "The page or record does not exist" in page
    assert 'href="/login"' in page
