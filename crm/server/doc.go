// Package server is the reference CRM: it stores contacts and a delivery
// log (SQLite or PostgreSQL), serves the CRM contract of package crm, and
// delivers newsletters over SMTP with bounded concurrency and rate.
//
// Endpoints (API key required unless noted):
//
//	GET  /api/v1/recipients?segment=&cursor=&limit=   subscribed contacts, paged by ID
//	POST /api/v1/notifications/newsletter            one batch of up to 1,000 messages
//	POST /api/v1/contacts                            CSV import (text/csv)
//	GET  /api/v1/deliveries?newsletter_id=&status=&cursor=&limit=
//	                                                  the delivery log: counts and rows
//	GET  /api/v1/sender                               how it sends: sender, DKIM domain (no secrets)
//	POST /webhooks/ses                                Amazon SES via SNS (SNS signature, no key)
//	POST /webhooks/sendgrid                           SendGrid Event Webhook (ECDSA signature, no key)
//	POST /webhooks/postmark                           Postmark bounces and complaints (basic auth)
//	GET  /api/v1/newsletters/{id}/report             what a newsletter achieved
//	GET  /r/{token}                                   tracked link: 302 to its URL, click counted (no key)
//	GET  /o/{token}/{sent}                            open pixel (no key)
//	GET  /unsubscribe?token=                          confirmation page (no key)
//	POST /unsubscribe?token=                          RFC 8058 one-click unsubscribe (no key)
//	GET  /healthz                                     database reachable (no key)
//
// Guarantees: a newsletter request is refused whole (nothing written) or
// accepted whole in one transaction together with its stored reply, so an
// Idempotency-Key replays exactly. The delivery log holds one row per
// newsletter and address, so no newsletter is queued twice for an address
// whatever the batch boundaries. The dispatcher claims queued rows with a
// lease (on PostgreSQL with FOR UPDATE SKIP LOCKED, so several CRM
// processes can share one queue) and commits each outcome, in groups, as
// soon as the mail server accepts the message; a sender takes its next
// message only once its last outcome is committed. A process that crashes
// may therefore send again at most Concurrency messages once their lease
// expires (with the same Message-ID), while a clean stop releases unsent
// claims at once.
//
// Every message's envelope sender is a VERP address naming its delivery;
// ServeBounces receives the bounces (DSN) and feedback-loop reports (ARF)
// sent there, and the webhooks take providers' events. Hard bounces and
// complaints, and repeated soft bounces, put the address on a suppression
// list that recipients, requests and the dispatcher honour.
//
// Tracking (Config.Tracking): links of each variant are registered and
// rewritten once, when the dispatcher first prepares the variant, so
// aggregate tracking adds nothing per message. Clicks and opens are
// counted in memory and written every second.
package server
