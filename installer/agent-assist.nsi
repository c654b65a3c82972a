; Agent Assist - per-machine Windows installer (NSIS 3, Modern UI 2).
;
; Built by installer/build.py, which passes the version from app/__init__.py:
;   makensis -DVERSION=0.1.0 -DVERSION_WIN=0.1.0.0 [-DPUBLISHER=...] [-DDIST=folder]
;            [-DOUTFILE=setup.exe] [-DICON=file.ico] installer\agent-assist.nsi
; DIST is PyInstaller's one-folder output (default ..\dist\agent-assist).
;
; Command line of the built installer (all optional):
;   /S                       silent install (no pages; the defaults below)
;   /DBURL=URL               write agent-assist-site.json next to the programs so every
;                            user of this machine uses the database URL by default;
;                            /DBURL= with an empty value removes that file
;   /DESKTOP                 also create the desktop shortcut (the page offers it too)
;   /D=C:\path               install folder (NSIS: must be the last option, unquoted)
;
; Per-machine: the program goes to Program Files, the shortcuts to All Users and
; the Apps & features entry to HKLM, which is why it asks for administrator
; rights. User data (%LOCALAPPDATA%\agent-assist) is never touched.

Unicode true
ManifestDPIAware true
; Release builds compress with LZMA (smallest, slowest); CI passes -DCOMPRESSOR=zlib
; to check the script against the real program folder in a fraction of the time.
!ifndef COMPRESSOR
  !define COMPRESSOR "/SOLID lzma"
!endif
SetCompressor ${COMPRESSOR}

!ifndef VERSION
  !error "VERSION is not defined: build with 'python installer/build.py' (it reads app/__init__.py)"
!endif
!ifndef VERSION_WIN
  !error "VERSION_WIN (four numbers) is not defined: 'python installer/version.py --windows' prints it"
!endif
!ifndef PUBLISHER
  !define PUBLISHER "Agent Assist"
!endif
!ifndef DIST
  !define DIST "..\dist\agent-assist"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\AgentAssist-${VERSION}-setup.exe"
!endif

!define APP_NAME "Agent Assist"
!define GUI_EXE "Agent Assist.exe"
!define CLI_EXE "agent-assist.exe"
!define UNINSTALLER "uninstall.exe"
!define SITE_FILE "agent-assist-site.json"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\AgentAssist"

Name "${APP_NAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP_NAME}"
InstallDirRegKey HKLM "${UNINST_KEY}" "InstallLocation"
RequestExecutionLevel admin
BrandingText "${APP_NAME} ${VERSION}"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "Sections.nsh"
!include "WordFunc.nsh"
!include "x64.nsh"

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_SMALLDESC
; No "run now" on the finish page: the installer runs elevated, and the program
; started from it would run as the administrator, not as the agent.

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

; The product's languages; Windows' display language picks one (English otherwise).
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "German"
!insertmacro MUI_LANGUAGE "Russian"
!insertmacro MUI_LANGUAGE "SimpChinese"

LangString SEC_PROGRAM ${LANG_ENGLISH} "Program"
LangString SEC_PROGRAM ${LANG_GERMAN} "Programm"
LangString SEC_PROGRAM ${LANG_RUSSIAN} "Программа"
LangString SEC_PROGRAM ${LANG_SIMPCHINESE} "程序"
LangString SEC_PROGRAM_DESC ${LANG_ENGLISH} "${APP_NAME} and its Start menu shortcut, for all users of this computer."
LangString SEC_PROGRAM_DESC ${LANG_GERMAN} "${APP_NAME} und die Verknüpfung im Startmenü, für alle Benutzer dieses Computers."
LangString SEC_PROGRAM_DESC ${LANG_RUSSIAN} "${APP_NAME} и ярлык в меню «Пуск» для всех пользователей этого компьютера."
LangString SEC_PROGRAM_DESC ${LANG_SIMPCHINESE} "${APP_NAME} 及其开始菜单快捷方式，供本计算机所有用户使用。"
LangString SEC_DESKTOP ${LANG_ENGLISH} "Desktop shortcut"
LangString SEC_DESKTOP ${LANG_GERMAN} "Verknüpfung auf dem Desktop"
LangString SEC_DESKTOP ${LANG_RUSSIAN} "Ярлык на рабочем столе"
LangString SEC_DESKTOP ${LANG_SIMPCHINESE} "桌面快捷方式"
LangString SEC_DESKTOP_DESC ${LANG_ENGLISH} "A shortcut on the desktop of every user."
LangString SEC_DESKTOP_DESC ${LANG_GERMAN} "Eine Verknüpfung auf dem Desktop jedes Benutzers."
LangString SEC_DESKTOP_DESC ${LANG_RUSSIAN} "Ярлык на рабочем столе каждого пользователя."
LangString SEC_DESKTOP_DESC ${LANG_SIMPCHINESE} "在每个用户的桌面上创建快捷方式。"
LangString MSG_NEEDS_64BIT ${LANG_ENGLISH} "${APP_NAME} needs 64-bit Windows."
LangString MSG_NEEDS_64BIT ${LANG_GERMAN} "${APP_NAME} braucht ein 64-Bit-Windows."
LangString MSG_NEEDS_64BIT ${LANG_RUSSIAN} "Для ${APP_NAME} нужна 64-разрядная Windows."
LangString MSG_NEEDS_64BIT ${LANG_SIMPCHINESE} "${APP_NAME} 需要 64 位 Windows。"

VIProductVersion "${VERSION_WIN}"
VIFileVersion "${VERSION_WIN}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileDescription" "${APP_NAME} ${VERSION} Setup"
VIAddVersionKey /LANG=${LANG_ENGLISH} "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "LegalCopyright" "${PUBLISHER}"

Var DbUrl       ; value of /DBURL=
Var DbUrlGiven  ; 1 when /DBURL= is on the command line (even empty)

; ---------------------------------------------------------------------------
; /DBURL= parsing. FileFunc's GetOptions ends a value at the next "/", which
; every database URL contains, so the value runs to the next " /" option (or,
; when quoted, to the closing quote).
Function ReadDbUrlOption
  StrCpy $DbUrl ""
  StrCpy $DbUrlGiven 0
  ${GetParameters} $0
  StrLen $1 $0
  StrCpy $2 0
  ${Do}
    ${If} $2 >= $1
      Return
    ${EndIf}
    StrCpy $3 $0 7 $2
    ${If} $3 == "/DBURL="
      ${ExitDo}
    ${EndIf}
    IntOp $2 $2 + 1
  ${Loop}
  StrCpy $DbUrlGiven 1
  IntOp $2 $2 + 7
  StrCpy $0 $0 "" $2
  StrCpy $3 $0 1
  ${If} $3 == '"'
    StrCpy $0 $0 "" 1
    StrCpy $4 '"'
  ${Else}
    StrCpy $4 " /"
  ${EndIf}
  StrLen $5 $4
  StrLen $1 $0
  StrCpy $2 0
  ${DoWhile} $2 < $1
    StrCpy $3 $0 $5 $2
    ${If} $3 == $4
      ${ExitDo}
    ${EndIf}
    IntOp $2 $2 + 1
  ${Loop}
  StrCpy $0 $0 $2
  ; A quote left over when the whole option was quoted ("/DBURL=..."), spaces.
  ${Do}
    StrCpy $3 $0 1 -1
    ${If} $3 == '"'
    ${OrIf} $3 == " "
      StrCpy $0 $0 -1
    ${Else}
      ${ExitDo}
    ${EndIf}
  ${Loop}
  StrCpy $DbUrl $0
FunctionEnd

; The site settings file: the same JSON keys as the user's settings.json. FileWrite
; writes the ANSI code page, so the URL must be ASCII (percent-encode the rest,
; as URLs require anyway); backslashes and quotes are escaped for JSON.
Function WriteSiteSettings
  ${If} $DbUrl == ""
    Delete "$INSTDIR\${SITE_FILE}"
    DetailPrint "Site settings removed: every user has their own database"
    Return
  ${EndIf}
  ${WordReplace} $DbUrl "\" "\\" "+" $0
  ${WordReplace} $0 '"' '\"' "+" $0
  FileOpen $1 "$INSTDIR\${SITE_FILE}" w
  FileWrite $1 '{$\r$\n  "db_url": "$0"$\r$\n}$\r$\n'
  FileClose $1
  DetailPrint "Site settings: every user of this computer uses the shared database"
FunctionEnd

; An earlier installation is removed first (silently, by its own uninstaller):
; PyInstaller's _internal folder changes from version to version. Its site
; settings are kept unless /DBURL= replaces them.
Function RemovePreviousVersion
  ReadRegStr $0 HKLM "${UNINST_KEY}" "InstallLocation"
  ${If} $0 == ""
  ${OrIfNot} ${FileExists} "$0\${UNINSTALLER}"
    Return
  ${EndIf}
  ${If} ${FileExists} "$0\${SITE_FILE}"
    CopyFiles /SILENT "$0\${SITE_FILE}" "$PLUGINSDIR\${SITE_FILE}"
  ${EndIf}
  DetailPrint "Removing the installed version from $0"
  ExecWait '"$0\${UNINSTALLER}" /S _?=$0' $1
  Delete "$0\${UNINSTALLER}"
  RMDir "$0"
FunctionEnd

; ---------------------------------------------------------------------------
Section "!$(SEC_PROGRAM)" SecProgram
  SectionIn RO
  SetShellVarContext all
  InitPluginsDir
  Call RemovePreviousVersion

  SetOutPath "$INSTDIR"
  File /r "${DIST}\*.*"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  ${If} $DbUrlGiven == 1
    Call WriteSiteSettings
  ${ElseIf} ${FileExists} "$PLUGINSDIR\${SITE_FILE}"
    CopyFiles /SILENT "$PLUGINSDIR\${SITE_FILE}" "$INSTDIR\${SITE_FILE}"
  ${EndIf}

  CreateShortcut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${GUI_EXE}"

  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${GUI_EXE}"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" $0
SectionEnd

Section /o "$(SEC_DESKTOP)" SecDesktop
  SetShellVarContext all
  CreateShortcut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${GUI_EXE}"
SectionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecProgram} $(SEC_PROGRAM_DESC)
  !insertmacro MUI_DESCRIPTION_TEXT ${SecDesktop} $(SEC_DESKTOP_DESC)
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP $(MSG_NEEDS_64BIT) /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  Call ReadDbUrlOption
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/DESKTOP" $1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${SecDesktop}
  ${EndIf}
FunctionEnd

; ---------------------------------------------------------------------------
Function un.onInit
  SetRegView 64
FunctionEnd

Section "Uninstall"
  SetShellVarContext all
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$DESKTOP\${APP_NAME}.lnk"
  ; Only what the installer put here: the folder may hold files IT added.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\${SITE_FILE}"
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINST_KEY}"
SectionEnd
