/** English: the reference language. Every other language must have exactly these keys (checked by the compiler). */
export const en = {
  app: {
    name: 'Kith',
    pageTitle: '{{page}} · Kith',
    loading: 'Loading…',
  },
  language: {
    label: 'Language',
    current: 'Language: {{language}}',
    names: {
      en: 'English',
      es: 'Español',
    },
  },
  colorScheme: {
    toDark: 'Switch to dark mode',
    toLight: 'Switch to light mode',
  },
  roles: {
    owner: 'Owner',
    admin: 'Admin',
    marketer: 'Marketer',
    agent: 'Agent',
    analyst: 'Analyst',
  },
  fields: {
    workspaceName: 'Workspace name',
    workspaceNameDescription: 'Usually the name of your business',
    name: 'Your name',
    email: 'Email',
    password: 'Password',
    newPasswordDescription: 'At least {{count}} characters',
  },
  validation: {
    required: 'This field is required',
    email: 'Enter a valid email address',
    passwordTooShort_one: 'Use at least {{count}} character',
    passwordTooShort_other: 'Use at least {{count}} characters',
  },
  errors: {
    title: 'That did not work',
    generic: 'Something went wrong on our side. Please try again in a moment.',
    network: 'Cannot reach the server. Check your connection and try again.',
    rateLimited_one: 'Too many attempts. Try again in {{count}} second.',
    rateLimited_other: 'Too many attempts. Try again in {{count}} seconds.',
    invalidCredentials: 'Wrong email or password.',
    invalidValue: 'This value is not valid.',
    alreadySetUp: 'Kith is already set up here. Sign in instead.',
    unauthorized: 'Your session has ended. Please sign in again.',
    forbidden: 'Your role does not allow this.',
    retry: 'Try again',
    unavailableTitle: 'Kith is not reachable',
  },
  setup: {
    title: 'Set up Kith',
    intro: 'Create your workspace and your owner account. You can invite your team afterwards.',
    submit: 'Create workspace',
  },
  login: {
    title: 'Sign in',
    intro: 'Welcome back. Sign in to your workspace.',
    submit: 'Sign in',
    signedOut: 'You are signed out.',
  },
  invite: {
    title: 'Join {{workspace}}',
    intro: 'You have been invited to join as {{role}}.',
    workspace: 'Workspace',
    email: 'Email',
    role: 'Role',
    expires: 'This invitation expires on {{date}}.',
    submit: 'Join workspace',
    invalidTitle: 'This invitation cannot be used',
    notFound: 'The link is wrong or the invitation was withdrawn. Ask the person who invited you for a new one.',
    expired: 'This invitation has expired. Ask the person who invited you for a new one.',
    alreadyAccepted: 'This invitation was already used. Sign in with the account it created.',
    existingAccount: 'You already have an account with this email: enter its password.',
    toLogin: 'Go to sign in',
  },
  shell: {
    skipToContent: 'Skip to content',
    toggleNavigation: 'Toggle navigation',
    navigation: 'Main navigation',
    home: 'Home',
    workspace: 'Workspace',
    switchWorkspace: 'Switch workspace',
    currentWorkspace: 'Current workspace: {{name}}',
    switchedTo: 'You are now in {{name}}.',
    noWorkspace: 'No workspace',
    accountMenu: 'Account menu',
    signedInAs: 'Signed in as {{email}}',
    signOut: 'Sign out',
  },
  home: {
    title: 'Home',
    welcome: 'Welcome, {{name}}',
    welcomeAnonymous: 'Welcome',
    subtitle: 'This is {{workspace}} on Kith: one profile for each of your customers.',
    emptyTitle: 'Connect your first channel — coming next',
    emptyDescription:
      'Channels bring in your customers, their messages and their orders. They arrive in the next release; until then you can explore what Kith can already do through its API.',
    apiDocs: 'Open the API reference',
  },
  notFound: {
    title: 'Page not found',
    description: 'There is nothing at this address.',
    home: 'Go to the home page',
  },
} as const;

type Strings<T> = { readonly [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };

/** The shape every translation must have. */
export type Translation = Strings<typeof en>;
