# Finds Debian's stb (libstb-dev: stb_image.h and stb_image_write.h, compiled into libstb.so) through
# its pkg-config file and exposes the imported target Stb::Stb; headers are included as <stb_image.h>.
find_package(PkgConfig QUIET REQUIRED)
pkg_check_modules(PC_Stb QUIET stb)

find_path(Stb_INCLUDE_DIR NAMES stb_image.h HINTS ${PC_Stb_INCLUDE_DIRS} PATH_SUFFIXES stb)
find_library(Stb_LIBRARY NAMES stb HINTS ${PC_Stb_LIBRARY_DIRS})

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Stb REQUIRED_VARS Stb_LIBRARY Stb_INCLUDE_DIR)

if(Stb_FOUND AND NOT TARGET Stb::Stb)
  add_library(Stb::Stb UNKNOWN IMPORTED)
  set_target_properties(Stb::Stb PROPERTIES
    IMPORTED_LOCATION "${Stb_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Stb_INCLUDE_DIR}")
endif()
mark_as_advanced(Stb_INCLUDE_DIR Stb_LIBRARY)
