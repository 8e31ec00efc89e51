package ec2sim

import (
	"net/http"

	"github.com/devopsim/devopsim/apierr"
)

// Sentinels callers match with errors.Is (by code).
var (
	ErrInstanceNotFound         = apierr.New(apierr.NotFound, "InvalidInstanceID.NotFound", "")
	ErrInstanceIDMalformed      = apierr.New(apierr.Invalid, "InvalidInstanceID.Malformed", "")
	ErrAMINotFound              = apierr.New(apierr.NotFound, "InvalidAMIID.NotFound", "")
	ErrAMIMalformed             = apierr.New(apierr.Invalid, "InvalidAMIID.Malformed", "")
	ErrAMIUnavailable           = apierr.New(apierr.Conflict, "InvalidAMIID.Unavailable", "")
	ErrAMINameDuplicate         = apierr.New(apierr.AlreadyExists, "InvalidAMIName.Duplicate", "")
	ErrIncorrectInstanceState   = apierr.New(apierr.Conflict, "IncorrectInstanceState", "")
	ErrInvalidParameterValue    = apierr.New(apierr.Invalid, "InvalidParameterValue", "")
	ErrInvalidParameterCombo    = apierr.New(apierr.Invalid, "InvalidParameterCombination", "")
	ErrMissingParameter         = apierr.New(apierr.Invalid, "MissingParameter", "")
	ErrLaunchTemplateNotFound   = apierr.New(apierr.NotFound, "InvalidLaunchTemplateName.NotFoundException", "")
	ErrLaunchTemplateIDNotFound = apierr.New(apierr.NotFound, "InvalidLaunchTemplateId.NotFound", "")
	ErrLaunchTemplateVersion    = apierr.New(apierr.NotFound, "InvalidLaunchTemplateId.VersionNotFound", "")
	ErrLaunchTemplateExists     = apierr.New(apierr.AlreadyExists, "InvalidLaunchTemplateName.AlreadyExistsException", "")
	ErrSubnetNotFound           = apierr.New(apierr.NotFound, "InvalidSubnetID.NotFound", "")
	ErrVpcNotFound              = apierr.New(apierr.NotFound, "InvalidVpcID.NotFound", "")
	ErrGroupNotFound            = apierr.New(apierr.NotFound, "InvalidGroup.NotFound", "")
	ErrGroupDuplicate           = apierr.New(apierr.AlreadyExists, "InvalidGroup.Duplicate", "")
	ErrDependencyViolation      = apierr.New(apierr.Conflict, "DependencyViolation", "")
	ErrInstanceLimitExceeded    = apierr.New(apierr.LimitExceeded, "InstanceLimitExceeded", "")
	ErrOperationNotPermitted    = apierr.New(apierr.Denied, "OperationNotPermitted", "")
	ErrAuthFailure              = apierr.New(apierr.Denied, "AuthFailure", "")
	ErrInvalidID                = apierr.New(apierr.Invalid, "InvalidID", "")
	ErrNetworkInterfaceNotFound = apierr.New(apierr.NotFound, "InvalidNetworkInterfaceID.NotFound", "")
	ErrInvalidFilter            = apierr.New(apierr.Invalid, "InvalidParameterValue", "")
	ErrInvalidNextToken         = apierr.New(apierr.Invalid, "InvalidNextToken", "")
	ErrDryRun                   = dryRun()
)

func dryRun() *apierr.Error {
	e := apierr.New(apierr.Denied, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	e.Status = http.StatusPreconditionFailed
	return e
}
