export const NOTICE =
    "This runner is for building, checking and demonstrating the scripts on one machine. Production runs on Nango's workers: deploy with `npm run deploy`.";
