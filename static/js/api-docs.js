// Swagger UI on the API docs page, started from a file (the Content-Security-Policy allows no inline script).
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) return;
  const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    deepLinking: true,
    persistAuthorization: true,
    validatorUrl: null, // otherwise the schema's URL would be sent to validator.swagger.io
    // A team's own API (contract docs) is read, not called from here: its servers are elsewhere.
    ...(root.dataset.tryItOut === "false" ? { supportedSubmitMethods: [] } : {}),
    requestInterceptor: (request) => {
      // Session "Try it out" calls need the CSRF token, as any other form of this site.
      if (csrf) request.headers["X-CSRFToken"] = csrf.split("=")[1];
      return request;
    },
  });
});
