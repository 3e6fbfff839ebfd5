package activitytypes

// Error types of non-retryable failures; stable, so operators and tests can
// match on them.
const (
	ErrTypeDocumentNotFound = "DocumentNotFound"
	ErrTypePermission       = "DocumentPermissionDenied"
	ErrTypeCredentials      = "SourceCredentials"
	ErrTypeInvalidDocument  = "InvalidDocument"
	ErrTypeNoSections       = "NoSections"
	ErrTypeRender           = "RenderFailed"
	ErrTypeBadSource        = "BadSourceReference"
	ErrTypeCRMRejected      = "CRMRequestRejected"
	ErrTypePlatformRejected = "PlatformRequestRejected"
	ErrTypeTooLarge         = "PayloadTooLarge"
	// ErrTypeUnavailable is a failure that may pass on retry: a network
	// error, a timeout, a 5xx.
	ErrTypeUnavailable = "ServiceUnavailable"
)
