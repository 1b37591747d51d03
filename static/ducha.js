/* Ducha's one script, loaded on every admin page (templates/admin/ducha_base.html); a
 * file of its own because the Content-Security-Policy runs no inline script or handler.
 *
 * - A form carrying data-confirm (a step that cannot simply be taken back) asks first; the
 *   person's "cancel" keeps it unsent.
 * - The to-do count beside the menu (待办) is asked for once the page is drawn, so no page
 *   waits on it or pays its statements; the home page shows the list itself. It shows in
 *   the bar beside the site's name on a phone, in the menu on a wide screen.
 * - A button carrying data-print prints the page (the office's documents: 督办单, 催办单).
 * - Flask-Admin's dropdowns and date pickers: their own words in the page's language.
 * - The directive form: the due date the deadline rules give, shown next to the day of
 *   receipt as the leader level, urgency and day of receipt change. The server computes
 *   it (DirectiveView.due_dates); this only asks and shows the answer.
 * - A list's cells carry their column's header as data-label, which static/phone.css
 *   shows beside each field when a row is drawn as a card on a phone.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  // Flask-Admin's dropdowns (select2 3.5) speak English of themselves: their messages in
  // the page's language, set before Flask-Admin makes the dropdowns (on jQuery's ready).
  (function dropdownTexts() {
    var texts = document.getElementById("ducha-select2-texts");
    var $ = window.jQuery;
    if (!texts || !$ || !$.fn.select2) {
      return;
    }
    var said = texts.dataset;
    $.extend($.fn.select2.defaults, {
      formatNoMatches: function () { return said.noMatches; },
      formatSearching: function () { return said.searching; },
      formatLoadMore: function () { return said.loadMore; },
      formatInputTooShort: function (input, min) {
        return said.tooShort.replace("%n", min - input.length);
      }
    });
  })();

  // Flask-Admin's date pickers (daterangepicker 1.3) speak English of themselves too, and
  // Flask-Admin passes them no locale: each picker it makes (static/admin/js/form.js, which
  // says "adminFormReady" once daterangepicker is loaded and before it makes any) gets the
  // page's words, weekdays, months and first day of the week among its locale options.
  (function datePickerTexts() {
    var texts = document.getElementById("ducha-date-texts");
    var $ = window.jQuery;
    if (!texts || !$) {
      return;
    }
    var said = texts.dataset;
    var locale = {
      applyLabel: said.apply,
      cancelLabel: said.cancel,
      fromLabel: said.from,
      toLabel: said.to,
      weekLabel: said.week,
      customRangeLabel: said.custom,
      daysOfWeek: said.days.split(" "),
      monthNames: said.months.split(" "),
      firstDay: parseInt(said.firstDay, 10)
    };
    $(document).one("adminFormReady", function () {
      var make = $.fn.daterangepicker;
      if (!make) {
        return;
      }
      $.fn.daterangepicker = function (options, callback) {
        var asked = $.extend({}, options);
        asked.locale = $.extend({}, locale, asked.locale);
        return make.call(this, asked, callback);
      };
    });
  })();

  function todoCount() {
    var link = document.querySelector("[data-todo-count]");
    if (!link) {
      return;
    }
    fetch(link.getAttribute("data-todo-count"), {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : {count: 0}; })
      .then(function (found) {
        if (found.count > 0) {
          // The bar's own link (a folded menu) and the one in the menu (a wide screen).
          document.querySelectorAll(".ducha-todo-badge .badge").forEach(function (badge) {
            badge.textContent = found.count;
            badge.classList.remove("d-none");
          });
        }
      })
      .catch(function () {});
  }

  function dueDates(hint, $) {
    var fields = ["leader_level", "urgent", "received_on"];
    var asked = 0;
    var received = document.getElementById("received_on");
    var group = received && received.closest(".form-group");
    if (group) {
      group.after(hint);
    }

    function show(text) {
      hint.textContent = text || "";
      hint.hidden = !text;
    }

    function query() {
      var level = document.getElementById("leader_level");
      var urgent = document.getElementById("urgent");
      var day = received ? received.value.trim() : "";
      // Ask once a whole date is there, not at each key typed.
      if (!level || !level.value || !/^\d{4}-\d{2}-\d{2}$/.test(day)) {
        return null;
      }
      return new URLSearchParams({
        leader_level: level.value,
        urgent: urgent && urgent.checked ? "1" : "0",
        received_on: day
      });
    }

    function refresh() {
      var params = query();
      var mine = ++asked;
      if (!params) {
        show("");
        return;
      }
      fetch(hint.dataset.url + "?" + params.toString(), {headers: {Accept: "application/json"}})
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (mine !== asked) {
            return; // a later change asked again
          }
          show(answer.error || [answer.text, answer.warning].filter(Boolean).join(" "));
        })
        .catch(function () { show(""); });
    }

    // jQuery's delegated handlers see the changes select2 and the date picker trigger too.
    var selector = fields.map(function (id) { return "#" + id; }).join(",");
    $(document).on("change input", selector, refresh);
    refresh();
  }

  // Flask-Admin's menu button on a narrow screen is labelled in English in its template.
  function menuButtonLabel() {
    var texts = document.getElementById("ducha-nav-texts");
    var button = document.querySelector(".navbar-toggler");
    if (texts && button) {
      button.setAttribute("aria-label", texts.dataset.toggle);
    }
  }

  // Copied here rather than drawn by the list template so that our list page and
  // Flask-Admin's stay the same HTML (tests/test_list_rows.py).
  function listLabels() {
    document.querySelectorAll("table.model-list").forEach(function (table) {
      var headers = Array.prototype.map.call(
        table.querySelectorAll("thead th"),
        function (th) { return th.textContent.replace(/\s+/g, " ").trim(); }
      );
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, index) {
          if (headers[index] && cell.colSpan === 1) {
            cell.setAttribute("data-label", headers[index]);
          }
        });
      });
    });
  }

  function start() {
    listLabels();
    menuButtonLabel();
    todoCount();
    var hint = document.getElementById("ducha-due-hint");
    if (hint && window.jQuery) {
      dueDates(hint, window.jQuery);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
