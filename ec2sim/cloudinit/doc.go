// Package cloudinit parses EC2 user data and runs it on a simulated host the way cloud-init
// does.
//
// Parse understands gzip-compressed user data, MIME multipart (including nested parts,
// base64 and quoted-printable transfer encodings and mbox "From " lines), the "#!",
// "#cloud-config", "#cloud-boothook", "#include", "#part-handler", "## template: jinja" and
// "#cloud-config-archive" markers, and recognises Windows user data (<powershell>, <script>,
// <persist>, EC2Launch v2 YAML). It never fails on content: problems are kept per part.
//
// Boot runs it on a host: bootcmd and boothooks at every boot; once per instance id the
// hostname, groups, users (with sudo rules and SSH keys), write_files (plain, b64, gzip,
// !!binary; owner, permissions, append, defer), package_update/upgrade and packages (through
// the host's yum or apt-get), user scripts (as root, no stdin, cwd /, saved under
// /var/lib/cloud/instances/<id>/scripts) and runcmd, in cloud-init's stage order. The user
// data is saved to /var/lib/cloud/instances/<id>/user-data.txt; output and cloud-init's
// warnings ("Failed running .../part-001 [1]") go to /var/log/cloud-init-output.log and the
// host console. Windows user data is refused on Linux with a console message; #include,
// part handlers, jinja templates and cloud-config modules devopsim does not apply are
// reported in Result.Ignored.
//
// Deviations: #include URLs and write_files source URLs are not fetched; unsupported modules
// (ntp, mounts, disk_setup, apt sources...) are skipped; package versions are ignored.
// Boot is safe to call concurrently for different hosts.
package cloudinit
