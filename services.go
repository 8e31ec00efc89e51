package devopsim

// addServices builds every service beyond STS and S3 and registers it with the router.
func (p *Platform) addServices() error {
	return nil
}
