/* Starts Swagger UI on /api/docs/ (templates/drf_spectacular/swagger_ui.html). The page
   hands over the schema's URL, the UI settings and the CSRF token in data- attributes,
   so it needs no inline script (Content-Security-Policy). */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var header = root.getAttribute("data-csrf-header");
  var token = root.getAttribute("data-csrf-token");
  var options = {
    url: root.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // "Try it out" with the session: unsafe methods carry the CSRF token.
    requestInterceptor: function (request) {
      var method = (request.method || "GET").toUpperCase();
      if (method !== "GET" && method !== "HEAD" && request.credentials === "same-origin") {
        request.headers[header] = token;
      }
      return request;
    }
  };
  var extra = JSON.parse(root.getAttribute("data-settings") || "{}");
  Object.keys(extra).forEach(function (key) { options[key] = extra[key]; });
  window.ui = window.SwaggerUIBundle(options);
})();
