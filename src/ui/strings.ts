// Every text of the scan UI, per language. `locale` picks one; unknown locales fall back to English.
import type { LivenessAction } from '../schemas/common.js';

const en = {
  lang: 'en',
  title: 'Identity verification',
  emulatorBadge: 'Emulator',
  cancel: 'Cancel',
  stepOf: 'Step {n} of {total}',
  // Start
  startHeading: 'Verify your identity',
  startIntro: 'It takes about a minute. You will need:',
  needDocument: 'Your ID document (passport, ID card or driving licence)',
  needFace: 'A camera to take a short video of your face',
  needNothingElse: 'A camera or a photo to upload',
  startBrowser: 'Scan in this browser',
  startMobile: 'Continue on mobile',
  startMobileHint: 'Use your phone camera: scan a QR code and finish there.',
  // Documents
  documentFrontHeading: 'Front of your ID document',
  documentBackHeading: 'Back of your ID document',
  documentHint: 'Place the document inside the frame, on a dark surface, with no glare.',
  capture: 'Take photo',
  cameraStarting: 'Starting the camera…',
  cameraUnavailable: 'No camera is available. Upload a photo instead.',
  cameraDenied: 'Camera access was denied. Upload a photo instead.',
  uploadLabel: 'Upload a photo',
  uploadHint: 'JPEG, PNG, WebP or HEIC',
  uploading: 'Uploading…',
  uploadFailed: 'The upload failed: {reason}',
  samplesHeading: 'Test mode: use a sample document',
  // Face
  faceAlignHeading: 'Align your face with the frame',
  faceAlignHint: 'Look straight at the camera, in good light, with nothing covering your face.',
  faceAlignContinue: 'My face is in the frame',
  faceNoCamera: 'No camera: the emulator lets you continue without one.',
  faceActionHeading: 'Now follow the instruction',
  faceActionDone: 'Done',
  followText: 'Follow me',
  // Analyzing
  analyzingHeading: 'Analyzing',
  analyzingHint: 'Checking your document and your face. This takes a few seconds; keep this page open.',
  // Done
  doneHeading: 'Verification finished',
  doneRedirecting: 'Taking you back…',
  doneContinue: 'Continue',
  // Mobile
  mobileHeading: 'Continue on your phone',
  mobileHint: 'Scan the QR code with your phone camera, or open this link on your phone:',
  mobileWaiting: 'Waiting for your phone…',
  mobileOpened: 'Your phone is connected. Finish the steps there; this page moves on by itself.',
  mobileBack: 'Scan in this browser instead',
  mobileQrAlt: 'QR code of the link for your phone',
  mobileDoneHeading: 'All done on this phone',
  mobileDoneHint: 'You can go back to your computer now.',
  // Mobile hand-off from a page opened on this computer's loopback address (`code` in backquotes)
  mobileUnreachableHeading: 'A phone cannot open this link yet',
  mobileListensOnLoopback:
    'It points at this computer ({desktopHost}), and the emulator listens on `{listeningHost}` only, so the link works in a browser on this computer. For a phone on the same network, start the emulator with `HOST=0.0.0.0` (this page then offers the computer\'s network addresses), or add `PUBLIC_URL=http://<this computer\'s LAN address>:{port}` to choose the address. In Docker, publish the port (`-p {port}:{port}`) and set `PUBLIC_URL` the same way.',
  mobileInContainer:
    'It points at this computer ({desktopHost}), and the emulator runs in a container, whose own network addresses a phone cannot reach, so the link works in a browser on this computer. For a phone on the same network, publish the port (`-p {port}:{port}`) and set `PUBLIC_URL=http://<this computer\'s LAN address>:{port}`.',
  mobileNoLanAddress:
    'It points at this computer ({desktopHost}): the emulator listens on every interface, but this computer has no network address a phone could reach. Connect it to the phone\'s network, or set `PUBLIC_URL=http://<an address the phone can reach>:{port}`. The link works in a browser on this computer.',
  mobileLanNote: 'The link uses this computer\'s network address, for a phone on the same network. A phone elsewhere (or a Docker container\'s address) needs `PUBLIC_URL`.',
  mobileMoreLinks: 'Other addresses of this computer:',
  // Errors
  errorGeneric: 'Something went wrong: {reason}',
  sessionEnded: 'This verification has ended ({status}).',
  retry: 'Try again',
  selfieFailed: 'The face photo could not be sent: {reason}',
  analysisFailed: 'The analysis could not be started: {reason}',
  cancelFailed: 'Cancelling did not work: {reason}',
  connectionRetrying: 'The connection to the server is not working ({reason}). Trying again…',
  timedOut: 'the server did not answer in time',
  networkError: 'no connection to the server',
  badAnswer: "the server's answer could not be read",
  sessionGone: 'This verification is no longer available: it was removed or has expired. Ask the service that sent you here for a new link.',
  accessLost: 'This page has lost access to the verification (it was opened in another browser, or cookies were cleared). Ask the service that sent you here for a new link.',
  // Tester panel
  testerHeading: 'Tester panel',
  testerOutcome: 'Outcome of this run',
  testerApply: 'Use this outcome',
  testerApplied: 'Outcome set to {name}.',
  testerLocked: 'The outcome {name} was chosen by a stronger rule ({rule}); the tester panel cannot change it.',
  testerCameraDenied: 'Simulate camera denied',
  testerAnalysisError: 'Simulate analysis error',
  testerRelayState: 'relay_state',
  testerAction: 'Liveness action',
  // Result page
  resultHeading: 'Verification result',
  resultStatus: 'Status',
  resultSession: 'Session',
  resultNoUrl: 'The service gave no address to return to, so the result is shown here.',
};

export type UiStrings = typeof en;

const sv: UiStrings = {
  lang: 'sv',
  title: 'Identitetskontroll',
  emulatorBadge: 'Emulator',
  cancel: 'Avbryt',
  stepOf: 'Steg {n} av {total}',
  startHeading: 'Bekräfta din identitet',
  startIntro: 'Det tar ungefär en minut. Du behöver:',
  needDocument: 'Din id-handling (pass, id-kort eller körkort)',
  needFace: 'En kamera för att filma ditt ansikte en kort stund',
  needNothingElse: 'En kamera eller ett foto att ladda upp',
  startBrowser: 'Skanna i den här webbläsaren',
  startMobile: 'Fortsätt i mobilen',
  startMobileHint: 'Använd mobilens kamera: skanna en QR-kod och slutför där.',
  documentFrontHeading: 'Framsidan av din id-handling',
  documentBackHeading: 'Baksidan av din id-handling',
  documentHint: 'Lägg handlingen inom ramen, på ett mörkt underlag, utan reflexer.',
  capture: 'Ta foto',
  cameraStarting: 'Startar kameran…',
  cameraUnavailable: 'Ingen kamera finns. Ladda upp ett foto i stället.',
  cameraDenied: 'Åtkomst till kameran nekades. Ladda upp ett foto i stället.',
  uploadLabel: 'Ladda upp ett foto',
  uploadHint: 'JPEG, PNG, WebP eller HEIC',
  uploading: 'Laddar upp…',
  uploadFailed: 'Uppladdningen misslyckades: {reason}',
  samplesHeading: 'Testläge: använd en exempelhandling',
  faceAlignHeading: 'Placera ditt ansikte i ramen',
  faceAlignHint: 'Titta rakt in i kameran, i bra ljus, utan något som täcker ansiktet.',
  faceAlignContinue: 'Mitt ansikte är i ramen',
  faceNoCamera: 'Ingen kamera: emulatorn låter dig fortsätta utan.',
  faceActionHeading: 'Följ nu instruktionen',
  faceActionDone: 'Klar',
  followText: 'Följ mig',
  analyzingHeading: 'Analyserar',
  analyzingHint: 'Vi kontrollerar din handling och ditt ansikte. Det tar några sekunder; låt sidan vara öppen.',
  doneHeading: 'Kontrollen är klar',
  doneRedirecting: 'Skickar dig tillbaka…',
  doneContinue: 'Fortsätt',
  mobileHeading: 'Fortsätt i mobilen',
  mobileHint: 'Skanna QR-koden med mobilens kamera, eller öppna den här länken i mobilen:',
  mobileWaiting: 'Väntar på mobilen…',
  mobileOpened: 'Mobilen är ansluten. Slutför stegen där; den här sidan går vidare av sig själv.',
  mobileBack: 'Skanna i den här webbläsaren i stället',
  mobileQrAlt: 'QR-kod med länken till mobilen',
  mobileDoneHeading: 'Klart i mobilen',
  mobileDoneHint: 'Du kan gå tillbaka till datorn nu.',
  mobileUnreachableHeading: 'En mobil kan inte öppna länken ännu',
  mobileListensOnLoopback:
    'Den pekar på den här datorn ({desktopHost}), och emulatorn lyssnar bara på `{listeningHost}`, så länken fungerar i en webbläsare på den här datorn. För en mobil i samma nätverk: starta emulatorn med `HOST=0.0.0.0` (sidan visar då datorns nätverksadresser), eller lägg till `PUBLIC_URL=http://<datorns adress i nätverket>:{port}` för att välja adressen. I Docker: publicera porten (`-p {port}:{port}`) och sätt `PUBLIC_URL` på samma sätt.',
  mobileInContainer:
    'Den pekar på den här datorn ({desktopHost}), och emulatorn körs i en container, vars egna nätverksadresser en mobil inte når, så länken fungerar i en webbläsare på den här datorn. För en mobil i samma nätverk: publicera porten (`-p {port}:{port}`) och sätt `PUBLIC_URL=http://<datorns adress i nätverket>:{port}`.',
  mobileNoLanAddress:
    'Den pekar på den här datorn ({desktopHost}): emulatorn lyssnar på alla gränssnitt, men datorn har ingen nätverksadress som en mobil når. Anslut den till mobilens nätverk, eller sätt `PUBLIC_URL=http://<en adress som mobilen når>:{port}`. Länken fungerar i en webbläsare på den här datorn.',
  mobileLanNote: 'Länken använder datorns nätverksadress, för en mobil i samma nätverk. En mobil någon annanstans (eller en Docker-containers adress) behöver `PUBLIC_URL`.',
  mobileMoreLinks: 'Datorns andra adresser:',
  errorGeneric: 'Något gick fel: {reason}',
  sessionEnded: 'Den här kontrollen har avslutats ({status}).',
  retry: 'Försök igen',
  selfieFailed: 'Ansiktsfotot kunde inte skickas: {reason}',
  analysisFailed: 'Analysen kunde inte startas: {reason}',
  cancelFailed: 'Det gick inte att avbryta: {reason}',
  connectionRetrying: 'Anslutningen till servern fungerar inte ({reason}). Försöker igen…',
  timedOut: 'servern svarade inte i tid',
  networkError: 'ingen anslutning till servern',
  badAnswer: 'serverns svar gick inte att läsa',
  sessionGone: 'Den här kontrollen finns inte längre: den har tagits bort eller gått ut. Be tjänsten som skickade dig hit om en ny länk.',
  accessLost: 'Sidan har inte längre åtkomst till kontrollen (den öppnades i en annan webbläsare, eller kakorna rensades). Be tjänsten som skickade dig hit om en ny länk.',
  testerHeading: 'Testpanel',
  testerOutcome: 'Utfall för den här körningen',
  testerApply: 'Använd utfallet',
  testerApplied: 'Utfallet är nu {name}.',
  testerLocked: 'Utfallet {name} valdes av en starkare regel ({rule}); testpanelen kan inte ändra det.',
  testerCameraDenied: 'Simulera nekad kamera',
  testerAnalysisError: 'Simulera analysfel',
  testerRelayState: 'relay_state',
  testerAction: 'Livenesshandling',
  resultHeading: 'Resultat av kontrollen',
  resultStatus: 'Status',
  resultSession: 'Session',
  resultNoUrl: 'Tjänsten angav ingen adress att återvända till, så resultatet visas här.',
};

/** The prompt for each liveness action, and the text that moves across the screen for FollowText. */
const actionPrompts: Record<'en' | 'sv', Record<LivenessAction, string>> = {
  en: {
    HeadLeft: 'Slowly turn your head to the left',
    HeadRight: 'Slowly turn your head to the right',
    HeadUp: 'Slowly tilt your head up',
    HeadDown: 'Slowly tilt your head down',
    MoveTowardsCamera: 'Move your face closer to the camera',
    MoveAwayFromCamera: 'Move your face away from the camera',
    FollowText: 'Follow the moving text with your eyes',
    BlinkEyes: 'Blink your eyes twice',
    Smile: 'Smile',
  },
  sv: {
    HeadLeft: 'Vrid långsamt huvudet åt vänster',
    HeadRight: 'Vrid långsamt huvudet åt höger',
    HeadUp: 'Luta långsamt huvudet uppåt',
    HeadDown: 'Luta långsamt huvudet nedåt',
    MoveTowardsCamera: 'För ansiktet närmare kameran',
    MoveAwayFromCamera: 'För ansiktet längre från kameran',
    FollowText: 'Följ den rörliga texten med blicken',
    BlinkEyes: 'Blinka två gånger',
    Smile: 'Le',
  },
};

const catalogues = { en, sv } as const;
export type UiLanguage = keyof typeof catalogues;

/** `se` (ZignSec's code for Swedish), `sv`, `sv-SE`, `sv_SE` give Swedish; anything unknown gives English. */
export function uiLanguage(locale: string | null | undefined): UiLanguage {
  const primary = (locale ?? '').toLowerCase().split(/[-_]/)[0];
  return primary === 'se' || primary === 'sv' ? 'sv' : 'en';
}

export function stringsFor(locale: string | null | undefined): UiStrings {
  return catalogues[uiLanguage(locale)];
}

export function actionPrompt(locale: string | null | undefined, action: LivenessAction): string {
  return actionPrompts[uiLanguage(locale)][action];
}

/** Fills `{name}` placeholders. */
export function format(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}
