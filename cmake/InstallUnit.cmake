# Run by `cmake --install` (cmake/Install.cmake): writes the systemd unit with the paths of the
# prefix being installed to, and the example config to /etc/socialgate when there is none (an
# existing config is never replaced). Inputs: SG_UNIT_TEMPLATE, SG_UNIT_STAGING, SG_BINDIR and
# SG_DOCDIR (relative to the prefix), SG_EXAMPLE_CONFIG.
foreach(dir BINDIR DOCDIR)
  if(IS_ABSOLUTE "${SG_${dir}}")
    set(SG_INSTALL_${dir} "${SG_${dir}}")
  else()
    set(SG_INSTALL_${dir} "${CMAKE_INSTALL_PREFIX}/${SG_${dir}}")
  endif()
endforeach()
configure_file("${SG_UNIT_TEMPLATE}" "${SG_UNIT_STAGING}" @ONLY)
file(INSTALL "${SG_UNIT_STAGING}" DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# The config holds password hashes and names secret files: not readable by every user (the
# tmpfiles.d entry gives it to group socialgate once that group exists).
if(EXISTS "$ENV{DESTDIR}/etc/socialgate/socialgate.toml")
  message(STATUS "Kept: $ENV{DESTDIR}/etc/socialgate/socialgate.toml (already there)")
else()
  file(INSTALL "${SG_EXAMPLE_CONFIG}" DESTINATION "/etc/socialgate"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
endif()
