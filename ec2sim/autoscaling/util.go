package autoscaling

import (
	"time"

	"github.com/google/uuid"
)

func newUUID() string { return uuid.NewString() }

func secs(n int32) time.Duration { return time.Duration(n) * time.Second }
