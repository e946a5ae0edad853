// The reply form, enhanced: choosing a person selects "one person", choosing another
// audience clears the person, and the send button names who will get the message.
// Without this script the server refuses a person given with another audience (422).
(function () {
  var form = document.getElementById('reply');
  if (!form) return;
  var select = form.querySelector('select[name=person_id]');
  var person = form.querySelector('input[name=audience][value=person]');
  var label = form.querySelector('.send-person');
  if (!select || !person) return;
  function update() {
    if (!label) return;
    var opt = select.options[select.selectedIndex];
    label.textContent = select.value && opt
      ? label.getAttribute('data-named').replace('{name}', opt.text)
      : label.getAttribute('data-unnamed');
  }
  select.addEventListener('change', function () {
    if (select.value) person.checked = true;
    update();
  });
  var radios = form.querySelectorAll('input[name=audience]');
  for (var i = 0; i < radios.length; i++) {
    radios[i].addEventListener('change', function (e) {
      if (e.target.checked && e.target !== person) {
        select.value = '';
        update();
      }
    });
  }
})();
