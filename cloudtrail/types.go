package cloudtrail

import "time"

// Tag is a key-value tag on a trail.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value,omitempty"`
}

// ResourceTag is the tags of one resource.
type ResourceTag struct {
	ResourceID string `json:"ResourceId,omitempty"`
	TagsList   []Tag  `json:"TagsList,omitempty"`
}

// LookupAttribute is one lookup condition of LookupEvents.
type LookupAttribute struct {
	AttributeKey   string `json:"AttributeKey"`
	AttributeValue string `json:"AttributeValue"`
}

// Resource is a resource an event refers to, as LookupEvents reports it.
type Resource struct {
	ResourceName string `json:"ResourceName,omitempty"`
	ResourceType string `json:"ResourceType,omitempty"`
}

// Event is one event as LookupEvents returns it; CloudTrailEvent is the full record as JSON.
type Event struct {
	AccessKeyID     string     `json:"AccessKeyId,omitempty"`
	CloudTrailEvent string     `json:"CloudTrailEvent,omitempty"`
	EventID         string     `json:"EventId,omitempty"`
	EventName       string     `json:"EventName,omitempty"`
	EventSource     string     `json:"EventSource,omitempty"`
	EventTime       time.Time  `json:"EventTime,omitzero"`
	ReadOnly        string     `json:"ReadOnly,omitempty"`
	Resources       []Resource `json:"Resources,omitempty"`
	Username        string     `json:"Username,omitempty"`
}

// LookupEventsInput is the input of LookupEvents.
type LookupEventsInput struct {
	EndTime          *time.Time        `json:"EndTime,omitempty"`
	EventCategory    string            `json:"EventCategory,omitempty"`
	LookupAttributes []LookupAttribute `json:"LookupAttributes,omitempty"`
	MaxResults       *int32            `json:"MaxResults,omitempty"`
	NextToken        string            `json:"NextToken,omitempty"`
	StartTime        *time.Time        `json:"StartTime,omitempty"`
}

// LookupEventsOutput is the output of LookupEvents.
type LookupEventsOutput struct {
	Events    []Event `json:"Events"`
	NextToken string  `json:"NextToken,omitempty"`
}

// Trail is a trail's configuration as DescribeTrails and GetTrail report it.
type Trail struct {
	CloudWatchLogsLogGroupArn  string `json:"CloudWatchLogsLogGroupArn,omitempty"`
	CloudWatchLogsRoleArn      string `json:"CloudWatchLogsRoleArn,omitempty"`
	HasCustomEventSelectors    bool   `json:"HasCustomEventSelectors"`
	HasInsightSelectors        bool   `json:"HasInsightSelectors"`
	HomeRegion                 string `json:"HomeRegion,omitempty"`
	IncludeGlobalServiceEvents bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         bool   `json:"IsMultiRegionTrail"`
	IsOrganizationTrail        bool   `json:"IsOrganizationTrail"`
	KmsKeyID                   string `json:"KmsKeyId,omitempty"`
	LogFileValidationEnabled   bool   `json:"LogFileValidationEnabled"`
	Name                       string `json:"Name,omitempty"`
	S3BucketName               string `json:"S3BucketName,omitempty"`
	S3KeyPrefix                string `json:"S3KeyPrefix,omitempty"`
	SnsTopicARN                string `json:"SnsTopicARN,omitempty"`
	SnsTopicName               string `json:"SnsTopicName,omitempty"`
	TrailARN                   string `json:"TrailARN,omitempty"`
}

// TrailInfo is a trail as ListTrails reports it.
type TrailInfo struct {
	HomeRegion string `json:"HomeRegion,omitempty"`
	Name       string `json:"Name,omitempty"`
	TrailARN   string `json:"TrailARN,omitempty"`
}

// CreateTrailInput is the input of CreateTrail.
type CreateTrailInput struct {
	Name                       string `json:"Name"`
	S3BucketName               string `json:"S3BucketName"`
	CloudWatchLogsLogGroupArn  string `json:"CloudWatchLogsLogGroupArn,omitempty"`
	CloudWatchLogsRoleArn      string `json:"CloudWatchLogsRoleArn,omitempty"`
	EnableLogFileValidation    *bool  `json:"EnableLogFileValidation,omitempty"`
	IncludeGlobalServiceEvents *bool  `json:"IncludeGlobalServiceEvents,omitempty"`
	IsMultiRegionTrail         *bool  `json:"IsMultiRegionTrail,omitempty"`
	IsOrganizationTrail        *bool  `json:"IsOrganizationTrail,omitempty"`
	KmsKeyID                   string `json:"KmsKeyId,omitempty"`
	S3KeyPrefix                string `json:"S3KeyPrefix,omitempty"`
	SnsTopicName               string `json:"SnsTopicName,omitempty"`
	TagsList                   []Tag  `json:"TagsList,omitempty"`
}

// TrailOutput is the output of CreateTrail and UpdateTrail.
type TrailOutput struct {
	CloudWatchLogsLogGroupArn  string `json:"CloudWatchLogsLogGroupArn,omitempty"`
	CloudWatchLogsRoleArn      string `json:"CloudWatchLogsRoleArn,omitempty"`
	IncludeGlobalServiceEvents bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         bool   `json:"IsMultiRegionTrail"`
	IsOrganizationTrail        bool   `json:"IsOrganizationTrail"`
	KmsKeyID                   string `json:"KmsKeyId,omitempty"`
	LogFileValidationEnabled   bool   `json:"LogFileValidationEnabled"`
	Name                       string `json:"Name,omitempty"`
	S3BucketName               string `json:"S3BucketName,omitempty"`
	S3KeyPrefix                string `json:"S3KeyPrefix,omitempty"`
	SnsTopicARN                string `json:"SnsTopicARN,omitempty"`
	SnsTopicName               string `json:"SnsTopicName,omitempty"`
	TrailARN                   string `json:"TrailARN,omitempty"`
}

// CreateTrailOutput is the output of CreateTrail.
type CreateTrailOutput = TrailOutput

// UpdateTrailOutput is the output of UpdateTrail.
type UpdateTrailOutput = TrailOutput

// UpdateTrailInput is the input of UpdateTrail; nil or empty fields are left unchanged.
type UpdateTrailInput struct {
	Name                       string  `json:"Name"`
	CloudWatchLogsLogGroupArn  *string `json:"CloudWatchLogsLogGroupArn,omitempty"`
	CloudWatchLogsRoleArn      *string `json:"CloudWatchLogsRoleArn,omitempty"`
	EnableLogFileValidation    *bool   `json:"EnableLogFileValidation,omitempty"`
	IncludeGlobalServiceEvents *bool   `json:"IncludeGlobalServiceEvents,omitempty"`
	IsMultiRegionTrail         *bool   `json:"IsMultiRegionTrail,omitempty"`
	IsOrganizationTrail        *bool   `json:"IsOrganizationTrail,omitempty"`
	KmsKeyID                   *string `json:"KmsKeyId,omitempty"`
	S3BucketName               *string `json:"S3BucketName,omitempty"`
	S3KeyPrefix                *string `json:"S3KeyPrefix,omitempty"`
	SnsTopicName               *string `json:"SnsTopicName,omitempty"`
}

// TrailNameInput is the input of the operations that take only a trail name or ARN
// (DeleteTrail, GetTrail, GetTrailStatus, StartLogging, StopLogging).
type TrailNameInput struct {
	Name string `json:"Name"`
}

// Inputs of the operations that take only a trail name.
type (
	DeleteTrailInput    = TrailNameInput
	GetTrailInput       = TrailNameInput
	GetTrailStatusInput = TrailNameInput
	StartLoggingInput   = TrailNameInput
	StopLoggingInput    = TrailNameInput
)

// Empty is the output of operations that return nothing.
type Empty struct{}

// GetTrailOutput is the output of GetTrail.
type GetTrailOutput struct {
	Trail *Trail `json:"Trail,omitempty"`
}

// DescribeTrailsInput is the input of DescribeTrails.
type DescribeTrailsInput struct {
	IncludeShadowTrails *bool    `json:"includeShadowTrails,omitempty"`
	TrailNameList       []string `json:"trailNameList,omitempty"`
}

// DescribeTrailsOutput is the output of DescribeTrails.
type DescribeTrailsOutput struct {
	TrailList []Trail `json:"trailList"`
}

// ListTrailsInput is the input of ListTrails.
type ListTrailsInput struct {
	NextToken string `json:"NextToken,omitempty"`
}

// ListTrailsOutput is the output of ListTrails.
type ListTrailsOutput struct {
	NextToken string      `json:"NextToken,omitempty"`
	Trails    []TrailInfo `json:"Trails"`
}

// GetTrailStatusOutput is the output of GetTrailStatus.
type GetTrailStatusOutput struct {
	IsLogging                          bool      `json:"IsLogging"`
	LatestCloudWatchLogsDeliveryError  string    `json:"LatestCloudWatchLogsDeliveryError,omitempty"`
	LatestCloudWatchLogsDeliveryTime   time.Time `json:"LatestCloudWatchLogsDeliveryTime,omitzero"`
	LatestDeliveryAttemptSucceeded     string    `json:"LatestDeliveryAttemptSucceeded,omitempty"`
	LatestDeliveryAttemptTime          string    `json:"LatestDeliveryAttemptTime,omitempty"`
	LatestDeliveryError                string    `json:"LatestDeliveryError,omitempty"`
	LatestDeliveryTime                 time.Time `json:"LatestDeliveryTime,omitzero"`
	LatestDigestDeliveryError          string    `json:"LatestDigestDeliveryError,omitempty"`
	LatestDigestDeliveryTime           time.Time `json:"LatestDigestDeliveryTime,omitzero"`
	LatestNotificationAttemptSucceeded string    `json:"LatestNotificationAttemptSucceeded,omitempty"`
	LatestNotificationAttemptTime      string    `json:"LatestNotificationAttemptTime,omitempty"`
	StartLoggingTime                   time.Time `json:"StartLoggingTime,omitzero"`
	StopLoggingTime                    time.Time `json:"StopLoggingTime,omitzero"`
	TimeLoggingStarted                 string    `json:"TimeLoggingStarted,omitempty"`
	TimeLoggingStopped                 string    `json:"TimeLoggingStopped,omitempty"`
}

// DataResource selects data events of one resource type (basic event selectors).
type DataResource struct {
	Type   string   `json:"Type,omitempty"`
	Values []string `json:"Values,omitempty"`
}

// EventSelector is a basic event selector.
type EventSelector struct {
	DataResources                 []DataResource `json:"DataResources,omitempty"`
	ExcludeManagementEventSources []string       `json:"ExcludeManagementEventSources,omitempty"`
	IncludeManagementEvents       *bool          `json:"IncludeManagementEvents,omitempty"`
	ReadWriteType                 string         `json:"ReadWriteType,omitempty"`
}

// AdvancedFieldSelector is one condition of an advanced event selector.
type AdvancedFieldSelector struct {
	Field         string   `json:"Field"`
	EndsWith      []string `json:"EndsWith,omitempty"`
	Equals        []string `json:"Equals,omitempty"`
	NotEndsWith   []string `json:"NotEndsWith,omitempty"`
	NotEquals     []string `json:"NotEquals,omitempty"`
	NotStartsWith []string `json:"NotStartsWith,omitempty"`
	StartsWith    []string `json:"StartsWith,omitempty"`
}

// AdvancedEventSelector selects events whose fields all match.
type AdvancedEventSelector struct {
	FieldSelectors []AdvancedFieldSelector `json:"FieldSelectors"`
	Name           string                  `json:"Name,omitempty"`
}

// PutEventSelectorsInput is the input of PutEventSelectors.
type PutEventSelectorsInput struct {
	TrailName              string                  `json:"TrailName"`
	AdvancedEventSelectors []AdvancedEventSelector `json:"AdvancedEventSelectors,omitempty"`
	EventSelectors         []EventSelector         `json:"EventSelectors,omitempty"`
}

// EventSelectorsOutput is the output of PutEventSelectors and GetEventSelectors.
type EventSelectorsOutput struct {
	AdvancedEventSelectors []AdvancedEventSelector `json:"AdvancedEventSelectors,omitempty"`
	EventSelectors         []EventSelector         `json:"EventSelectors,omitempty"`
	TrailARN               string                  `json:"TrailARN,omitempty"`
}

// Outputs of the event selector operations.
type (
	PutEventSelectorsOutput = EventSelectorsOutput
	GetEventSelectorsOutput = EventSelectorsOutput
)

// GetEventSelectorsInput is the input of GetEventSelectors.
type GetEventSelectorsInput struct {
	TrailName string `json:"TrailName"`
}

// InsightSelector enables one type of Insights.
type InsightSelector struct {
	EventCategories []string `json:"EventCategories,omitempty"`
	InsightType     string   `json:"InsightType,omitempty"`
}

// PutInsightSelectorsInput is the input of PutInsightSelectors.
type PutInsightSelectorsInput struct {
	InsightSelectors    []InsightSelector `json:"InsightSelectors"`
	EventDataStore      string            `json:"EventDataStore,omitempty"`
	InsightsDestination string            `json:"InsightsDestination,omitempty"`
	TrailName           string            `json:"TrailName,omitempty"`
}

// GetInsightSelectorsInput is the input of GetInsightSelectors.
type GetInsightSelectorsInput struct {
	EventDataStore string `json:"EventDataStore,omitempty"`
	TrailName      string `json:"TrailName,omitempty"`
}

// InsightSelectorsOutput is the output of PutInsightSelectors and GetInsightSelectors.
type InsightSelectorsOutput struct {
	InsightSelectors []InsightSelector `json:"InsightSelectors,omitempty"`
	TrailARN         string            `json:"TrailARN,omitempty"`
}

// Outputs of the insight selector operations.
type (
	PutInsightSelectorsOutput = InsightSelectorsOutput
	GetInsightSelectorsOutput = InsightSelectorsOutput
)

// AddTagsInput is the input of AddTags.
type AddTagsInput struct {
	ResourceID string `json:"ResourceId"`
	TagsList   []Tag  `json:"TagsList"`
}

// RemoveTagsInput is the input of RemoveTags.
type RemoveTagsInput = AddTagsInput

// ListTagsInput is the input of ListTags.
type ListTagsInput struct {
	ResourceIDList []string `json:"ResourceIdList"`
	NextToken      string   `json:"NextToken,omitempty"`
}

// ListTagsOutput is the output of ListTags.
type ListTagsOutput struct {
	NextToken       string        `json:"NextToken,omitempty"`
	ResourceTagList []ResourceTag `json:"ResourceTagList"`
}

// PublicKey is a digest signing key as ListPublicKeys reports it.
type PublicKey struct {
	Fingerprint       string    `json:"Fingerprint,omitempty"`
	ValidityEndTime   time.Time `json:"ValidityEndTime,omitzero"`
	ValidityStartTime time.Time `json:"ValidityStartTime,omitzero"`
	Value             []byte    `json:"Value,omitempty"`
}

// ListPublicKeysInput is the input of ListPublicKeys.
type ListPublicKeysInput struct {
	EndTime   *time.Time `json:"EndTime,omitempty"`
	NextToken string     `json:"NextToken,omitempty"`
	StartTime *time.Time `json:"StartTime,omitempty"`
}

// ListPublicKeysOutput is the output of ListPublicKeys.
type ListPublicKeysOutput struct {
	NextToken     string      `json:"NextToken,omitempty"`
	PublicKeyList []PublicKey `json:"PublicKeyList"`
}
