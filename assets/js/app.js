/*
 * egov — small progressive enhancements (loaded with `defer`).
 * Plain ES2017, no framework. CSP-safe: no eval, no inline styles
 * (state is shown with classes and attributes only). Every feature here is
 * optional: without JavaScript the forms submit normally.
 *
 *   <form data-upload-progress> … <input type="file"> …
 *     <progress class="egov-progress" max="100" value="0" hidden></progress>
 *       upload with a progress bar (XMLHttpRequest + FormData).
 *   data-confirm="message"   on a form or a submit button: confirm() first.
 *   data-print               on a button: window.print().
 *   <form data-validate>     inline validation on blur, message shown in the
 *                            .usa-error-message named by aria-describedby
 *                            (its id ends with "-error").
 *   USWDS mobile menu, accordions and nav submenus (uswds.js is not loaded).
 */
(function () {
  "use strict";

  // CSS shows the header navigation inline when this class is missing (no JS).
  document.documentElement.classList.add("egov-js");

  // ---- USWDS behaviours (uswds.js is not loaded) ----------------------------
  // Mobile menu: .usa-menu-btn opens .usa-nav, .usa-nav__close / .usa-overlay /
  // Escape close it. Accordions and nav submenus: a button with aria-controls
  // and aria-expanded toggles the "hidden" attribute of the element it names.
  // Server markup: render panels WITHOUT "hidden" and with aria-expanded="false"
  // when they should start collapsed: they are collapsed here, so pages without
  // JavaScript still show everything.

  function setMenu(open) {
    var nav = document.querySelector(".usa-nav");
    if (!nav) return;
    nav.classList.toggle("is-visible", open);
    document.body.classList.toggle("usa-js-mobile-nav--active", open);
    var overlay = document.querySelector(".usa-overlay");
    if (overlay) overlay.classList.toggle("is-visible", open);
    document.querySelectorAll(".usa-menu-btn").forEach(function (btn) {
      btn.setAttribute("aria-expanded", open ? "true" : "false");
    });
    var focusTarget = open ? nav.querySelector(".usa-nav__close, a, button") : document.querySelector(".usa-menu-btn");
    if (focusTarget) focusTarget.focus();
  }

  function setExpanded(button, open) {
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (panel) panel.hidden = !open;
  }

  function toggleButton(button) {
    var open = button.getAttribute("aria-expanded") !== "true";
    var accordion = button.closest(".usa-accordion");
    var nav = button.closest(".usa-nav__primary");
    var group = accordion && !accordion.hasAttribute("data-allow-multiple") ? accordion : nav;
    if (open && group) {
      group.querySelectorAll("button[aria-controls][aria-expanded='true']").forEach(function (other) {
        if (other !== button && other.closest(".usa-accordion, .usa-nav__primary") === group) {
          setExpanded(other, false);
        }
      });
    }
    setExpanded(button, open);
  }

  function collapseInitial(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope
      .querySelectorAll(".usa-accordion__button[aria-expanded='false'], .usa-nav__primary button[aria-controls][aria-expanded='false']")
      .forEach(function (button) {
        setExpanded(button, false);
      });
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest(".usa-menu-btn")) {
      setMenu(true);
    } else if (target.closest(".usa-nav__close, .usa-overlay")) {
      setMenu(false);
    } else {
      var button = target.closest(".usa-accordion__button[aria-controls], .usa-nav__primary button[aria-controls]");
      if (button) toggleButton(button);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.body.classList.contains("usa-js-mobile-nav--active")) {
      setMenu(false);
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      collapseInitial(document);
    });
  } else {
    collapseInitial(document);
  }
  // Content swapped in by HTMX.
  document.addEventListener("htmx:load", function (event) {
    collapseInitial(event.target);
  });

  // ---- confirm before submit -------------------------------------------

  function confirmMessage(form, submitter) {
    if (submitter && submitter.hasAttribute("data-confirm")) {
      return submitter.getAttribute("data-confirm");
    }
    if (form.hasAttribute("data-confirm")) {
      return form.getAttribute("data-confirm");
    }
    return null;
  }

  // Capture phase, so a refusal stops the upload handler and HTMX too.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      var message = confirmMessage(form, event.submitter || null);
      if (message && !window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  // data-confirm on a non-submit button or a link.
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var el = target && target.closest("a[data-confirm], button[data-confirm][type='button']");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  });

  // ---- print button --------------------------------------------------------

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var el = target && target.closest("[data-print]");
    if (el) {
      event.preventDefault();
      window.print();
    }
  });

  // ---- upload progress --------------------------------------------------

  function sameUrl(a, b) {
    var ua = new URL(a, document.baseURI);
    var ub = new URL(b, document.baseURI);
    ua.hash = "";
    ub.hash = "";
    return ua.href === ub.href;
  }

  function showResponse(xhr) {
    var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    if (doc.title) document.title = doc.title;
    // DOMParser never runs scripts; deferred scripts already in the page keep
    // working through the delegated listeners above.
    var body = document.body;
    while (body.firstChild) body.removeChild(body.firstChild);
    Array.prototype.slice.call(doc.body.childNodes).forEach(function (node) {
      body.appendChild(document.adoptNode(node));
    });
    if (window.htmx && typeof window.htmx.process === "function") window.htmx.process(body);
    window.scrollTo(0, 0);
    var focusTarget = document.querySelector(".usa-alert--error, .usa-error-message:not(:empty), h1");
    if (focusTarget) {
      if (!focusTarget.hasAttribute("tabindex")) focusTarget.setAttribute("tabindex", "-1");
      focusTarget.focus();
    }
  }

  function uploadWithProgress(form, submitter) {
    var progress = form.querySelector("progress.egov-progress");
    var buttons = form.querySelectorAll("button, input[type='submit']");
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    // getAttribute: a control named "action" would shadow form.action.
    var action = (submitter && submitter.getAttribute("formaction")) || form.getAttribute("action") || window.location.href;

    var xhr = new XMLHttpRequest();
    xhr.open("POST", action);
    xhr.setRequestHeader("Accept", "text/html");

    function setBusy(busy) {
      form.setAttribute("aria-busy", busy ? "true" : "false");
      buttons.forEach(function (button) {
        button.disabled = busy;
      });
      if (progress) {
        progress.hidden = !busy;
        if (busy) {
          progress.max = 100;
          progress.value = 0;
        }
      }
    }

    xhr.upload.onprogress = function (event) {
      if (!progress) return;
      if (event.lengthComputable) {
        progress.value = Math.round((event.loaded / event.total) * 100);
        progress.textContent = progress.value + "%";
      } else {
        progress.removeAttribute("value"); // indeterminate
      }
    };

    xhr.onload = function () {
      var finalUrl = xhr.responseURL || action;
      if (!sameUrl(finalUrl, action)) {
        // POST-redirect-GET: the XHR already followed the redirect, and that GET used up the
        // one-time messages; show that page instead of loading it a second time.
        window.history.pushState(null, "", finalUrl);
        showResponse(xhr);
        return;
      }
      // Same URL: the form was re-rendered (e.g. with errors). Show it.
      showResponse(xhr);
    };

    xhr.onerror = xhr.onabort = function () {
      setBusy(false);
      // Network failure: let the browser try the normal way once.
      HTMLFormElement.prototype.submit.call(form);
    };

    setBusy(true);
    xhr.send(data);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-upload-progress")) return;
    if (event.defaultPrevented) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (typeof FormData === "undefined" || typeof DOMParser === "undefined") return;
    event.preventDefault();
    uploadWithProgress(form, event.submitter || null);
  });

  // ---- inline validation ------------------------------------------------

  function errorElementFor(input) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/);
    for (var i = 0; i < ids.length; i++) {
      if (/-error$/.test(ids[i])) {
        var el = document.getElementById(ids[i]);
        if (el) return el;
      }
    }
    return null;
  }

  // Messages in the page language (<html lang>), not the browser's: Vietnamese
  // first, English for lang="en".
  var MESSAGES = {
    vi: {
      valueMissing: "Mục này là bắt buộc.",
      valueMissingChoice: "Hãy chọn một phương án.",
      valueMissingFile: "Hãy chọn một tệp.",
      typeMismatchEmail: "Hãy nhập địa chỉ email hợp lệ, ví dụ ten@example.vn.",
      typeMismatchUrl: "Hãy nhập địa chỉ web hợp lệ, bắt đầu bằng https://.",
      typeMismatch: "Giá trị không đúng định dạng.",
      patternMismatch: "Giá trị không đúng định dạng yêu cầu.",
      tooLong: "Tối đa {n} ký tự (hiện có {len}).",
      tooShort: "Cần ít nhất {n} ký tự (hiện có {len}).",
      rangeUnderflow: "Giá trị phải từ {n} trở lên.",
      rangeOverflow: "Giá trị phải không lớn hơn {n}.",
      stepMismatch: "Giá trị không hợp lệ (bước {n}).",
      badInput: "Hãy nhập một giá trị hợp lệ.",
      invalid: "Giá trị không hợp lệ.",
    },
    en: {
      valueMissing: "This field is required.",
      valueMissingChoice: "Please choose an option.",
      valueMissingFile: "Please choose a file.",
      typeMismatchEmail: "Enter a valid email address, for example name@example.com.",
      typeMismatchUrl: "Enter a valid web address starting with https://.",
      typeMismatch: "The value is not in the right format.",
      patternMismatch: "The value does not match the required format.",
      tooLong: "At most {n} characters (you have {len}).",
      tooShort: "At least {n} characters (you have {len}).",
      rangeUnderflow: "The value must be {n} or more.",
      rangeOverflow: "The value must be {n} or less.",
      stepMismatch: "The value is not allowed (step {n}).",
      badInput: "Enter a valid value.",
      invalid: "The value is not valid.",
    },
  };

  function pageMessages() {
    var lang = (document.documentElement.lang || "vi").toLowerCase().split("-")[0];
    return MESSAGES[lang] || MESSAGES.vi;
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] !== undefined && values[key] !== null ? String(values[key]) : all;
    });
  }

  function messageFor(input) {
    var v = input.validity;
    var m = pageMessages();
    var type = (input.getAttribute("type") || "").toLowerCase();
    var len = input.value ? input.value.length : 0;
    if (v.valueMissing) {
      if (type === "radio" || type === "checkbox" || input instanceof HTMLSelectElement) return m.valueMissingChoice;
      if (type === "file") return m.valueMissingFile;
      return m.valueMissing;
    }
    if (v.badInput) return m.badInput;
    if (v.typeMismatch) {
      if (type === "email") return m.typeMismatchEmail;
      if (type === "url") return m.typeMismatchUrl;
      return m.typeMismatch;
    }
    if (v.patternMismatch) return input.title ? m.patternMismatch + " " + input.title : m.patternMismatch;
    if (v.tooLong) return fill(m.tooLong, { n: input.maxLength, len: len });
    if (v.tooShort) return fill(m.tooShort, { n: input.minLength, len: len });
    if (v.rangeUnderflow) return fill(m.rangeUnderflow, { n: input.min });
    if (v.rangeOverflow) return fill(m.rangeOverflow, { n: input.max });
    if (v.stepMismatch) return fill(m.stepMismatch, { n: input.step || 1 });
    // customError set by someone else, or a state we do not know: keep theirs.
    if (v.customError && input.validationMessage) return input.validationMessage;
    return m.invalid;
  }

  // Whether the field is invalid for a reason other than our own custom message.
  function nativelyInvalid(input) {
    if (input.getAttribute("data-egov-custom") !== null) {
      input.setCustomValidity("");
      input.removeAttribute("data-egov-custom");
    }
    return !input.checkValidity();
  }

  function isField(el) {
    return el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement;
  }

  function validateField(input) {
    if (!input.willValidate) return;
    var errorEl = errorElementFor(input);
    var group = input.closest(".usa-form-group");
    if (!nativelyInvalid(input)) {
      // A message rendered by the server (not by us) stays until the next submit.
      if (errorEl && !errorEl.hasAttribute("data-client") && errorEl.textContent.trim()) return;
      input.classList.remove("usa-input--error");
      input.removeAttribute("aria-invalid");
      if (group) group.classList.remove("usa-form-group--error");
      if (errorEl && errorEl.hasAttribute("data-client")) {
        errorEl.textContent = "";
        errorEl.hidden = true;
        errorEl.removeAttribute("data-client");
      }
    } else {
      input.classList.add("usa-input--error");
      input.setAttribute("aria-invalid", "true");
      if (group) group.classList.add("usa-form-group--error");
      if (errorEl) {
        errorEl.textContent = messageFor(input);
        errorEl.hidden = false;
        errorEl.setAttribute("data-client", "");
      }
    }
  }

  // "blur" does not bubble; "focusout" does and fires at the same moment.
  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!isField(input)) return;
    if (!input.form || !input.form.hasAttribute("data-validate")) return;
    validateField(input);
  });

  // The browser's own bubble (shown on submit) in the page language too, on
  // every form. "invalid" does not bubble: listen in the capture phase.
  document.addEventListener(
    "invalid",
    function (event) {
      var input = event.target;
      if (!isField(input)) return;
      var own = input.getAttribute("data-egov-custom") !== null;
      if (input.validity.customError && !own) return; // someone else's message
      if (own) {
        input.setCustomValidity("");
        if (input.validity.valid) {
          input.removeAttribute("data-egov-custom");
          return;
        }
      }
      input.setCustomValidity(messageFor(input));
      input.setAttribute("data-egov-custom", "");
    },
    true
  );

  // Typing (or choosing) clears our message, so the field is checked afresh.
  // A radio group shares one state: clear the message on every button of it.
  function clearOwnMessage(event) {
    var input = event.target;
    if (!isField(input)) return;
    var related = [input];
    if (input.type === "radio" && input.name && input.form) {
      related = Array.prototype.filter.call(input.form.elements, function (el) {
        return el.type === "radio" && el.name === input.name;
      });
    }
    related.forEach(function (el) {
      if (el.getAttribute("data-egov-custom") === null) return;
      el.setCustomValidity("");
      el.removeAttribute("data-egov-custom");
    });
  }
  document.addEventListener("input", clearOwnMessage);
  document.addEventListener("change", clearOwnMessage);
})();
