package logs

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/devopsim/devopsim/apierr"
	"github.com/devopsim/devopsim/internal/core"
)

type streamRecord struct {
	Scope        string `json:"scope"`
	Group        string `json:"group"`
	Name         string `json:"name"`
	ARN          string `json:"arn"`
	CreationTime int64  `json:"creationTime"`
}

// LogStream is a log stream as DescribeLogStreams reports it.
type LogStream struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime,omitzero"`
	FirstEventTimestamp int64  `json:"firstEventTimestamp,omitzero"`
	LastEventTimestamp  int64  `json:"lastEventTimestamp,omitzero"`
	LastIngestionTime   int64  `json:"lastIngestionTime,omitzero"`
	UploadSequenceToken string `json:"uploadSequenceToken,omitempty"`
	Arn                 string `json:"arn,omitempty"`
	StoredBytes         int64  `json:"storedBytes"`
}

func validateStreamName(n string) error {
	if n == "" || len(n) > 512 {
		return ErrInvalidParameter.With("1 validation error detected: Value '%s' at 'logStreamName' failed to satisfy constraint: Member must have length between 1 and 512", n)
	}
	if strings.ContainsAny(n, ":*") {
		return ErrInvalidParameter.With("1 validation error detected: Value '%s' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*", n)
	}
	return nil
}

// CreateLogStreamInput is the input of CreateLogStream.
type CreateLogStreamInput struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
}

// CreateLogStreamOutput is the output of CreateLogStream.
type CreateLogStreamOutput struct{}

// CreateLogStream creates a log stream in a group.
func (s *Service) CreateLogStream(ctx context.Context, in *CreateLogStreamInput) (*CreateLogStreamOutput, error) {
	return do(ctx, s, "CreateLogStream", in, s.createLogStream)
}

func (s *Service) createLogStream(ctx context.Context, in *CreateLogStreamInput) (*CreateLogStreamOutput, error) {
	if err := validateGroupName(in.LogGroupName); err != nil {
		return nil, err
	}
	if err := validateStreamName(in.LogStreamName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.lookupGroupLocked(ctx, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	if g.streams[in.LogStreamName] != nil {
		return nil, ErrResourceAlreadyExists.With("The specified log stream already exists")
	}
	rec := streamRecord{
		Scope:        g.rec.Scope,
		Group:        g.rec.Name,
		Name:         in.LogStreamName,
		ARN:          core.ARN(ctx, "logs", "log-group:"+g.rec.Name+":log-stream:"+in.LogStreamName),
		CreationTime: s.nowMillis(),
	}
	if err := s.streamsT.Put(ctx, rec.Scope+rec.Group+":"+rec.Name, rec); err != nil {
		return nil, apierr.Wrap(err, "An internal error occurred.")
	}
	g.streams[in.LogStreamName] = &stream{rec: rec, data: &streamData{}}
	return &CreateLogStreamOutput{}, nil
}

// DeleteLogStreamInput is the input of DeleteLogStream.
type DeleteLogStreamInput struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
}

// DeleteLogStreamOutput is the output of DeleteLogStream.
type DeleteLogStreamOutput struct{}

// DeleteLogStream deletes a stream and its events.
func (s *Service) DeleteLogStream(ctx context.Context, in *DeleteLogStreamInput) (*DeleteLogStreamOutput, error) {
	return do(ctx, s, "DeleteLogStream", in, func(ctx context.Context, in *DeleteLogStreamInput) (*DeleteLogStreamOutput, error) {
		if err := validateGroupName(in.LogGroupName); err != nil {
			return nil, err
		}
		if err := validateStreamName(in.LogStreamName); err != nil {
			return nil, err
		}
		s.mu.Lock()
		g, err := s.lookupGroupLocked(ctx, in.LogGroupName)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		st := g.streams[in.LogStreamName]
		if st == nil {
			s.mu.Unlock()
			return nil, ErrResourceNotFound.With("The specified log stream does not exist.")
		}
		delete(g.streams, in.LogStreamName)
		s.mu.Unlock()
		s.total.Add(-st.data.stats().bytes)
		s.dropPersisted(ctx, st.rec, 0, true)
		if err := s.streamsT.Delete(ctx, st.rec.Scope+st.rec.Group+":"+st.rec.Name); err != nil && !isNotFound(err) {
			return nil, apierr.Wrap(err, "An internal error occurred.")
		}
		return &DeleteLogStreamOutput{}, nil
	})
}

// DescribeLogStreamsInput is the input of DescribeLogStreams.
type DescribeLogStreamsInput struct {
	LogGroupName        string `json:"logGroupName,omitempty"`
	LogGroupIdentifier  string `json:"logGroupIdentifier,omitempty"`
	LogStreamNamePrefix string `json:"logStreamNamePrefix,omitempty"`
	OrderBy             string `json:"orderBy,omitempty"`
	Descending          bool   `json:"descending,omitzero"`
	NextToken           string `json:"nextToken,omitempty"`
	Limit               int    `json:"limit,omitzero"`
}

// DescribeLogStreamsOutput is the output of DescribeLogStreams.
type DescribeLogStreamsOutput struct {
	LogStreams []LogStream `json:"logStreams"`
	NextToken  string      `json:"nextToken,omitempty"`
}

// DescribeLogStreams lists a group's streams by name or by last event time.
func (s *Service) DescribeLogStreams(ctx context.Context, in *DescribeLogStreamsInput) (*DescribeLogStreamsOutput, error) {
	return do(ctx, s, "DescribeLogStreams", in, s.describeLogStreams)
}

func (s *Service) describeLogStreams(ctx context.Context, in *DescribeLogStreamsInput) (*DescribeLogStreamsOutput, error) {
	name, err := resolveGroupName(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	orderBy := in.OrderBy
	if orderBy == "" {
		orderBy = "LogStreamName"
	}
	if orderBy != "LogStreamName" && orderBy != "LastEventTime" {
		return nil, ErrInvalidParameter.With("1 validation error detected: Value '%s' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]", orderBy)
	}
	if orderBy == "LastEventTime" && in.LogStreamNamePrefix != "" {
		return nil, ErrInvalidParameter.With("Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	limit, err := checkLimit(in.Limit, 50, 50)
	if err != nil {
		return nil, err
	}
	offset := 0
	if in.NextToken != "" {
		offset, err = strconv.Atoi(strings.TrimPrefix(in.NextToken, "s/"))
		if err != nil || offset < 0 || !strings.HasPrefix(in.NextToken, "s/") {
			return nil, ErrInvalidParameter.With("The specified nextToken is invalid.")
		}
	}
	s.mu.RLock()
	g, err := s.lookupGroupLocked(ctx, name)
	if err != nil {
		s.mu.RUnlock()
		return nil, err
	}
	type row struct {
		v    LogStream
		last int64
	}
	var rows []row
	for _, st := range g.streams {
		if !strings.HasPrefix(st.rec.Name, in.LogStreamNamePrefix) {
			continue
		}
		ss := st.data.stats()
		v := LogStream{
			LogStreamName:       st.rec.Name,
			CreationTime:        st.rec.CreationTime,
			Arn:                 st.rec.ARN,
			StoredBytes:         ss.bytes,
			UploadSequenceToken: seqToken(int64(ss.count)),
		}
		last := int64(minTime)
		if ss.hasAny {
			v.FirstEventTimestamp, v.LastEventTimestamp, v.LastIngestionTime = ss.first, ss.last, ss.lastIng
			last = ss.last
		}
		rows = append(rows, row{v, last})
	}
	s.mu.RUnlock()
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if orderBy == "LastEventTime" && a.last != b.last {
			if in.Descending {
				return a.last > b.last
			}
			return a.last < b.last
		}
		if in.Descending {
			return a.v.LogStreamName > b.v.LogStreamName
		}
		return a.v.LogStreamName < b.v.LogStreamName
	})
	out := &DescribeLogStreamsOutput{LogStreams: []LogStream{}}
	if offset > len(rows) {
		offset = len(rows)
	}
	end := min(offset+limit, len(rows))
	for _, r := range rows[offset:end] {
		out.LogStreams = append(out.LogStreams, r.v)
	}
	if end < len(rows) {
		out.NextToken = "s/" + strconv.Itoa(end)
	}
	return out, nil
}

func seqToken(n int64) string {
	s := strconv.FormatInt(n+1, 10)
	return "49" + strings.Repeat("0", 54-len(s)) + s
}
