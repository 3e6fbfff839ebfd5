package suggest

// Usage counts tokens.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	// Requests is how many requests reached the model; Cached how many
	// were answered from the cache instead.
	Requests int `json:"requests"`
	Cached   int `json:"cached,omitempty"`
}

// Total is prompt plus completion tokens.
func (u Usage) Total() int { return u.PromptTokens + u.CompletionTokens }

// Add returns the sum of two usages.
func (u Usage) Add(o Usage) Usage {
	return Usage{
		PromptTokens:     u.PromptTokens + o.PromptTokens,
		CompletionTokens: u.CompletionTokens + o.CompletionTokens,
		Requests:         u.Requests + o.Requests,
		Cached:           u.Cached + o.Cached,
	}
}
