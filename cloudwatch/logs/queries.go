package logs

type query struct{}

// QueryDefinition is a saved Logs Insights query.
type QueryDefinition struct {
	QueryDefinitionID string   `json:"queryDefinitionId"`
	Name              string   `json:"name"`
	QueryString       string   `json:"queryString"`
	LastModified      int64    `json:"lastModified,omitzero"`
	LogGroupNames     []string `json:"logGroupNames,omitempty"`
	QueryLanguage     string   `json:"queryLanguage,omitempty"`
}
