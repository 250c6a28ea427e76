// Show a request form's conditional fields only while their condition holds. The server checks
// the same rules, so this is a convenience: with scripts off every field shows and still works.
const form = document.querySelector("form:has([data-show-when])");

function currentValues(name) {
  const inputs = [...form.elements].filter((input) => input.name === name);
  return inputs.flatMap((input) => {
    if (input.type === "checkbox" || input.type === "radio") {
      return input.checked ? [input.value] : [];
    }
    return input.value.trim() === "" ? [] : [input.value.trim()];
  });
}

function sameValue(entered, wanted) {
  const a = Number(entered);
  const b = Number(wanted);
  return entered === wanted || (entered !== "" && !Number.isNaN(a) && !Number.isNaN(b) && a === b);
}

function holds(wrapper, hidden) {
  const controller = wrapper.dataset.showWhen;
  if (hidden.has(controller)) return false;
  const wanted = wrapper.dataset.showValue;
  const values = currentValues(controller);
  // A checkbox condition has no value: it holds while the box is ticked.
  return wanted === "" ? values.length > 0 : values.some((value) => sameValue(value, wanted));
}

function update() {
  const hidden = new Set();
  for (const wrapper of form.querySelectorAll(".mdg-field")) {
    const name = wrapper.querySelector("[name]")?.name;
    const shown = !wrapper.dataset.showWhen || holds(wrapper, hidden);
    wrapper.hidden = !shown;
    for (const input of wrapper.querySelectorAll("input, select, textarea")) {
      input.disabled = !shown;
    }
    if (!shown && name) hidden.add(name);
  }
}

if (form) {
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
}
