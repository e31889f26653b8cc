# `make install` (cmake --install, with --prefix and DESTDIR): the gateway's binary, its systemd
# unit with the user and directories it needs, an example config, and the documentation.
#
#   PREFIX/bin/socialgate
#   PREFIX/lib/systemd/system/socialgate.service   ExecStart names PREFIX/bin/socialgate
#   PREFIX/lib/sysusers.d/socialgate.conf          the socialgate user and group
#   PREFIX/lib/tmpfiles.d/socialgate.conf          /var/lib/socialgate, /etc/socialgate's modes
#   PREFIX/share/doc/socialgate/                   README.md, docs/, examples/socialgate.toml
#   /etc/socialgate/socialgate.toml                deploy/socialgate.toml, only when absent
#
# systemd reads units, sysusers.d and tmpfiles.d under /usr/local/lib as under /usr/lib, so the
# default prefix (/usr/local) works as it is. The config is under /etc whatever the prefix: the
# unit names /etc/socialgate/socialgate.toml. Everything honours DESTDIR (packaging, the
# deploy_install test).
#
# The unit is written at install time, not at configure time: `cmake --install --prefix P`
# changes the prefix after configuring, and the unit must name the binary where it lands.
include(GNUInstallDirs)

install(TARGETS socialgate RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(FILES deploy/systemd/socialgate.sysusers DESTINATION lib/sysusers.d
        RENAME socialgate.conf)
install(FILES deploy/systemd/socialgate.tmpfiles DESTINATION lib/tmpfiles.d
        RENAME socialgate.conf)

install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")
install(FILES deploy/socialgate.toml DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(DIRECTORY deploy/prometheus deploy/grafana DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        PATTERN "check-*" EXCLUDE)

# The unit, with the final prefix's paths (CMAKE_INSTALL_PREFIX is the --prefix one here).
install(CODE "
  set(SG_UNIT_TEMPLATE \"${PROJECT_SOURCE_DIR}/deploy/systemd/socialgate.service.in\")
  set(SG_UNIT_STAGING \"${PROJECT_BINARY_DIR}/deploy/socialgate.service\")
  set(SG_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
  set(SG_DOCDIR \"${CMAKE_INSTALL_DOCDIR}\")
  set(SG_EXAMPLE_CONFIG \"${PROJECT_SOURCE_DIR}/deploy/socialgate.toml\")
  include(\"${PROJECT_SOURCE_DIR}/cmake/InstallUnit.cmake\")
")
