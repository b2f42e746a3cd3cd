// Progressive enhancement only: every page works without this script.
// - hides the questions that do not apply given an answer on the same page
//   (without the script they are shown, with a help text saying when to answer them);
// - moves the focus to the list of errors after a submission with errors;
// - adds a "copy" button next to a saved simulation's link.
(function () {
  "use strict";

  function valueOf(form, name) {
    var inputs = form.querySelectorAll('[name="' + name.replace(/"/g, '\\"') + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "radio") { if (input.checked) return input.value; continue; }
      if (input.type === "checkbox") return input.checked ? input.value : "";
      return input.value;
    }
    return null;
  }

  function refresh(form) {
    var blocks = form.querySelectorAll("[data-depend]");
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      var rules;
      try { rules = JSON.parse(block.getAttribute("data-depend")); } catch (e) { continue; }
      var show = true;
      for (var name in rules) {
        var value = valueOf(form, name);
        if (value === null) continue; // the field is not on this page: the server decided
        if (rules[name].indexOf(value) < 0) show = false;
      }
      block.hidden = !show;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form.formulaire");
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        refresh(form);
        form.addEventListener("change", function () { refresh(form); });
      })(forms[i]);
    }

    var summary = document.getElementById("resume-erreurs");
    if (summary) summary.focus();

    var link = document.getElementById("lien-sauvegarde");
    if (link && navigator.clipboard) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "bouton bouton-secondaire";
      button.textContent = "Copier le lien";
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(link.value).then(function () {
          button.textContent = "Lien copié";
        });
      });
      link.parentNode.appendChild(button);
      link.parentNode.style.display = "flex";
      link.parentNode.style.gap = "0.75rem";
      link.parentNode.style.flexWrap = "wrap";
    }
  });
})();
