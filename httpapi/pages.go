package httpapi

// PageCSP is the Content-Security-Policy of every HTML page the project
// serves (the Platform's update pages, the approval pages): no script at
// all, the pages' own inline styles, images over HTTPS, no framing, and
// forms that post only to the same origin.
const PageCSP = "default-src 'self'; img-src https: data: 'self'; style-src 'unsafe-inline' 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
